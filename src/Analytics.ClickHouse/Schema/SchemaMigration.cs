namespace Analytics.ClickHouse.Schema;

/// <summary>
/// One versioned schema step. ClickHouse DDL is not transactional, so every statement must be idempotent
/// (<c>IF NOT EXISTS</c>, <c>ADD COLUMN IF NOT EXISTS</c>, ...): a step interrupted before its version was recorded
/// runs again in full at the next start-up, possibly on several silos at once.
/// </summary>
/// <param name="Version">The version, starting at 1, strictly increasing in <see cref="SchemaMigrations.All"/>.</param>
/// <param name="Name">A short description recorded with the version.</param>
/// <param name="Statements">Builds the statements for a database name (a validated identifier).</param>
internal sealed record SchemaMigration(int Version, string Name, Func<string, IReadOnlyList<string>> Statements);
