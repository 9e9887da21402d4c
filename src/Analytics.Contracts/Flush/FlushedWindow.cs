namespace Analytics.Contracts.Flush;

/// <summary>A rollup version ClickHouse holds: versions at or below it need not be written again.</summary>
/// <param name="Minute">The window start.</param>
/// <param name="Version">The rollup version that was written.</param>
[GenerateSerializer, Immutable]
[Alias("analytics.flushed-window.v1")]
public readonly record struct FlushedWindow([property: Id(0)] DateTime Minute, [property: Id(1)] ulong Version);
