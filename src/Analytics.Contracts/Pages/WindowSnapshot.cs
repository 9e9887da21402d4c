namespace Analytics.Contracts.Pages;

/// <summary>The state of one page's one-minute tumbling window, as seen live.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.window-snapshot.v1")]
public sealed record WindowSnapshot
{
    /// <summary>Window start (UTC, whole minute); the window is <c>[Minute, Minute + 60 s)</c>.</summary>
    [Id(0)] public DateTime Minute { get; init; }

    /// <summary>Number of <c>page_view</c> events.</summary>
    [Id(1)] public long Views { get; init; }

    /// <summary>Exact number of distinct visitors among the window's events of any type.</summary>
    [Id(2)] public long UniqueVisitors { get; init; }

    /// <summary>Number of events of every type.</summary>
    [Id(3)] public long Events { get; init; }

    /// <summary>Event counts by event type.</summary>
    [Id(4)] public IReadOnlyDictionary<string, long> EventsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Late events that arrived for this minute after it became final (not in the counts above).</summary>
    [Id(5)] public long LateEvents { get; init; }

    /// <summary>Whether the window is final: the watermark passed its end and its counts no longer change.</summary>
    [Id(6)] public bool IsFinal { get; init; }
}
