namespace Analytics.Contracts.Queries;

/// <summary>The merged live traffic of the whole cluster, rebuilt about once a second by <see cref="ITopPagesGrain"/>.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.traffic-snapshot.v1")]
public sealed record TrafficSnapshot
{
    /// <summary>Grows with every rebuild.</summary>
    [Id(0)] public long Version { get; init; }

    /// <summary>When it was built (UTC).</summary>
    [Id(1)] public DateTime AsOf { get; init; }

    /// <summary>The current minute it was built for (UTC).</summary>
    [Id(2)] public DateTime CurrentMinute { get; init; }

    /// <summary>Top pages of the current minute, most viewed first.</summary>
    [Id(3)] public RankedPage[] OneMinute { get; init; } = [];

    /// <summary>Top pages of the last five minutes, most viewed first.</summary>
    [Id(4)] public RankedPage[] FiveMinutes { get; init; } = [];

    /// <summary>Top pages of the last sixty minutes, most viewed first (approximate).</summary>
    [Id(5)] public RankedPage[] SixtyMinutes { get; init; } = [];

    /// <summary>Site-wide figures.</summary>
    [Id(6)] public SiteTraffic Site { get; init; } = new();

    /// <summary>The ranking of <paramref name="window"/>.</summary>
    public RankedPage[] For(TrafficWindow window) => window switch
    {
        TrafficWindow.OneMinute => OneMinute,
        TrafficWindow.FiveMinutes => FiveMinutes,
        TrafficWindow.SixtyMinutes => SixtyMinutes,
        _ => throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown traffic window."),
    };
}

/// <summary>One page in a ranking.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.ranked-page.v1")]
public sealed record RankedPage
{
    /// <summary>The page path.</summary>
    [Id(0)] public required string Page { get; init; }

    /// <summary>Page views in the window.</summary>
    [Id(1)] public long Views { get; init; }

    /// <summary>Distinct visitors in the window.</summary>
    [Id(2)] public long UniqueVisitors { get; init; }

    /// <summary>Whether <see cref="Views"/> is exact (from the page grain) rather than a pre-aggregated estimate.</summary>
    [Id(3)] public bool ViewsExact { get; init; }

    /// <summary>Whether <see cref="UniqueVisitors"/> is exact rather than an estimate.</summary>
    [Id(4)] public bool UniqueVisitorsExact { get; init; }
}

/// <summary>Site-wide live figures.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.site-traffic.v1")]
public sealed record SiteTraffic
{
    /// <summary>Well-formed events per second, averaged over the last few completed seconds.</summary>
    [Id(0)] public double EventsPerSecond { get; init; }

    /// <summary>Events per second for each of the last completed seconds, oldest first.</summary>
    [Id(1)] public SecondEvents[] Series { get; init; } = [];

    /// <summary>Distinct sessions with an event in the active-session window (HyperLogLog estimate).</summary>
    [Id(2)] public long ActiveSessions { get; init; }

    /// <summary>Late events counted since the silos started.</summary>
    [Id(3)] public long LateEvents { get; init; }

    /// <summary>Records dead-lettered since the silos started.</summary>
    [Id(4)] public long DeadLetteredEvents { get; init; }

    /// <summary>Silos whose reports are current.</summary>
    [Id(5)] public int ReportingSilos { get; init; }

    /// <summary>The active-session window (inactivity timeout) the session count uses.</summary>
    [Id(6)] public TimeSpan ActiveSessionWindow { get; init; }
}
