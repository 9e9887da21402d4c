namespace Analytics.Contracts.Queries;

/// <summary>
/// One silo's pre-aggregated traffic, sent to <see cref="ITopPagesGrain"/> about once a second. Every value is
/// absolute (the silo's own running total for its key), so a retried or repeated report is harmless.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("analytics.silo-traffic-report.v1")]
public sealed record SiloTrafficReport
{
    /// <summary>The reporting silo (its address), unique per silo process.</summary>
    [Id(0)] public required string SiloId { get; init; }

    /// <summary>The merge activation this report is meant for; a mismatch makes the merge ask for a full report.</summary>
    [Id(1)] public Guid Epoch { get; init; }

    /// <summary>Whether the report holds every page-minute the silo tracks, not only the changed ones.</summary>
    [Id(2)] public bool IsFull { get; init; }

    /// <summary>Page views per page and minute (changed ones, or all when <see cref="IsFull"/>).</summary>
    [Id(3)] public PageMinuteViews[] PageMinutes { get; init; } = [];

    /// <summary>Well-formed events per wall-clock second for the last completed seconds.</summary>
    [Id(4)] public SecondEvents[] Seconds { get; init; } = [];

    /// <summary>Late events counted by this silo's page grains since the silo started.</summary>
    [Id(5)] public long LateEvents { get; init; }

    /// <summary>Records dead-lettered by this silo since it started.</summary>
    [Id(6)] public long DeadLetteredEvents { get; init; }

    /// <summary>Distinct session ids with an event in the active-session window, as seen by this silo.</summary>
    [Id(7)] public SketchData? Sessions { get; init; }

    /// <summary>For the pages the merge asked about: their distinct visitors over the last 60 minutes on this silo.</summary>
    [Id(8)] public PageSketch[] PageVisitors { get; init; } = [];

    /// <summary>When the silo built the report (UTC).</summary>
    [Id(9)] public DateTime ReportedAt { get; init; }
}

/// <summary>A silo's view count of one page in one minute.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.page-minute-views.v1")]
public readonly record struct PageMinuteViews(
    [property: Id(0)] string Page,
    [property: Id(1)] DateTime Minute,
    [property: Id(2)] long Views);

/// <summary>Events in one wall-clock second (UTC, whole second).</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.second-events.v1")]
public readonly record struct SecondEvents(
    [property: Id(0)] DateTime Second,
    [property: Id(1)] long Events);

/// <summary>A page's visitor sketch.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.page-sketch.v1")]
public sealed record PageSketch(
    [property: Id(0)] string Page,
    [property: Id(1)] SketchData Visitors);

/// <summary>The merge's answer to a report.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.traffic-report-ack.v1")]
public sealed record TrafficReportAck
{
    /// <summary>The merge activation's epoch, to put in the next report.</summary>
    [Id(0)] public Guid Epoch { get; init; }

    /// <summary>Whether the next report must be full (the merge lost or never had this silo's counts).</summary>
    [Id(1)] public bool FullReportRequested { get; init; }

    /// <summary>The pages whose 60-minute visitor sketches the next report should carry.</summary>
    [Id(2)] public string[] SketchPages { get; init; } = [];
}
