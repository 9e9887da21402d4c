namespace Analytics.ClickHouse.Schema;

/// <summary>The outcome of <see cref="ClickHouseSchemaMigrator.MigrateAsync"/>.</summary>
/// <param name="Version">The schema version of the database after the run.</param>
/// <param name="Applied">The versions this run applied, in order; empty when the schema was up to date.</param>
public sealed record SchemaMigrationResult(int Version, IReadOnlyList<int> Applied);
