namespace Analytics.Contracts.Flush;

/// <summary>A final one-minute rollup of one page, ready to be written to <c>page_views_1m</c>.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.page-minute-rollup.v1")]
public sealed record PageMinuteRollup
{
    /// <summary>The page path.</summary>
    [Id(0)] public required string Page { get; init; }

    /// <summary>The window start (UTC).</summary>
    [Id(1)] public required DateTime Minute { get; init; }

    /// <summary>Page views.</summary>
    [Id(2)] public long Views { get; init; }

    /// <summary>Exact distinct visitors.</summary>
    [Id(3)] public long UniqueVisitors { get; init; }

    /// <summary>Events of all types.</summary>
    [Id(4)] public long Events { get; init; }

    /// <summary>Events by type.</summary>
    [Id(5)] public IReadOnlyDictionary<string, long> EventsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Late events counted for this minute so far.</summary>
    [Id(6)] public long LateEvents { get; init; }

    /// <summary>
    /// Row version for ReplacingMergeTree: fixed when the window becomes final, so a retried write is a duplicate
    /// that <c>FINAL</c> collapses, and a later correction (more late events) gets a higher version.
    /// </summary>
    [Id(7)] public ulong Version { get; init; }
}
