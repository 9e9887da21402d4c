namespace Analytics.Contracts.Pages;

/// <summary>A page's live state: open windows and the most recent final ones.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.page-live-state.v1")]
public sealed record PageLiveState
{
    /// <summary>The page path.</summary>
    [Id(0)] public required string Page { get; init; }

    /// <summary>Windows still accepting events, oldest first.</summary>
    [Id(1)] public IReadOnlyList<WindowSnapshot> OpenWindows { get; init; } = [];

    /// <summary>Recently finalised windows, oldest first (bounded).</summary>
    [Id(2)] public IReadOnlyList<WindowSnapshot> RecentWindows { get; init; } = [];

    /// <summary>Events applied since the grain's state was created.</summary>
    [Id(3)] public long TotalEvents { get; init; }

    /// <summary>Late events seen since the grain's state was created.</summary>
    [Id(4)] public long TotalLateEvents { get; init; }

    /// <summary>The watermark the grain last used to close windows.</summary>
    [Id(5)] public DateTime Watermark { get; init; }
}
