namespace Analytics.Contracts.Queries;

/// <summary>One page's live traffic: totals per window and its per-minute series.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.page-traffic.v1")]
public sealed record PageTraffic
{
    /// <summary>The page path.</summary>
    [Id(0)] public required string Page { get; init; }

    /// <summary>When it was read (UTC).</summary>
    [Id(1)] public DateTime AsOf { get; init; }

    /// <summary>Totals of the current minute window.</summary>
    [Id(2)] public WindowTotals OneMinute { get; init; } = new();

    /// <summary>Totals of the last five minute windows.</summary>
    [Id(3)] public WindowTotals FiveMinutes { get; init; } = new();

    /// <summary>The page's minute windows the grain holds (open and recently final), oldest first.</summary>
    [Id(4)] public MinuteTraffic[] Minutes { get; init; } = [];

    /// <summary>Events applied since the page grain's state was created.</summary>
    [Id(5)] public long TotalEvents { get; init; }

    /// <summary>Late events since the page grain's state was created.</summary>
    [Id(6)] public long TotalLateEvents { get; init; }

    /// <summary>The watermark the page grain last used.</summary>
    [Id(7)] public DateTime Watermark { get; init; }
}

/// <summary>Views and distinct visitors over a window.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.window-totals.v1")]
public sealed record WindowTotals
{
    /// <summary>The window's first minute (UTC).</summary>
    [Id(0)] public DateTime From { get; init; }

    /// <summary>Page views.</summary>
    [Id(1)] public long Views { get; init; }

    /// <summary>Distinct visitors.</summary>
    [Id(2)] public long UniqueVisitors { get; init; }

    /// <summary>Whether <see cref="UniqueVisitors"/> is exact.</summary>
    [Id(3)] public bool UniqueVisitorsExact { get; init; }
}

/// <summary>One minute of one page.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.minute-traffic.v1")]
public sealed record MinuteTraffic
{
    /// <summary>The minute (UTC window start).</summary>
    [Id(0)] public DateTime Minute { get; init; }

    /// <summary>Page views.</summary>
    [Id(1)] public long Views { get; init; }

    /// <summary>Exact distinct visitors.</summary>
    [Id(2)] public long UniqueVisitors { get; init; }

    /// <summary>Events of every type.</summary>
    [Id(3)] public long Events { get; init; }

    /// <summary>Late events for this minute (not in the counts).</summary>
    [Id(4)] public long LateEvents { get; init; }

    /// <summary>Whether the window is final.</summary>
    [Id(5)] public bool IsFinal { get; init; }
}
