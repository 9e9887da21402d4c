using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>Staged aggregation for live queries (configuration section <c>LiveQueries</c>).</summary>
public sealed class LiveQueryOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "LiveQueries";

    /// <summary>How often each silo reports its pre-aggregated counts to the merge. Defaults to 1 s.</summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the merge rebuilds its snapshot. Defaults to 1 s.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a silo's query cache serves a snapshot before asking the merge again. Defaults to 1 s.</summary>
    public TimeSpan SnapshotMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pages kept in each ranking (the largest limit a query can ask for). Defaults to 100.</summary>
    public int MaxTopPages { get; set; } = 100;

    /// <summary>
    /// Extra candidates, beyond <see cref="MaxTopPages"/>, whose exact figures are read from their page grains, so
    /// a page that pre-aggregation slightly under-counts still gets its exact rank. Defaults to 20.
    /// </summary>
    public int CandidateMargin { get; set; } = 20;

    /// <summary>A session counts as active while its latest event is at most this old. Defaults to 30 min.</summary>
    public TimeSpan ActiveSessionWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Page-minutes a silo tracks at most (bounded memory); past it new pages are not ranked. Defaults to 200,000.</summary>
    public int MaxTrackedPageMinutes { get; set; } = 200_000;

    /// <summary>A silo silent for this long no longer counts towards events per second and active sessions. Defaults to 30 s.</summary>
    public TimeSpan SiloSilenceTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Seconds of the site's events-per-second series kept in the snapshot. Defaults to 120.</summary>
    public int RateSeriesSeconds { get; set; } = 120;

    /// <summary>Completed seconds averaged into "events per second now". Defaults to 5.</summary>
    public int RateAverageSeconds { get; set; } = 5;

    /// <summary>HyperLogLog index bits of the 60-minute visitor sketches (2^n bytes each once dense). Defaults to 10.</summary>
    public int VisitorSketchPrecision { get; set; } = 10;

    /// <summary>HyperLogLog index bits of the active-session sketches. Defaults to 12.</summary>
    public int SessionSketchPrecision { get; set; } = 12;

    /// <summary>How long the merge waits for page grains when reading exact figures. Defaults to 5 s.</summary>
    public TimeSpan PageReadTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Stops start-up with a message naming the offending <c>LiveQueries</c> setting.</summary>
public sealed class LiveQueryOptionsValidator : IValidateOptions<LiveQueryOptions>
{
    private const string S = LiveQueryOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, LiveQueryOptions o)
    {
        var failures = new List<string>();
        CheckInterval(failures, nameof(o.ReportInterval), o.ReportInterval);
        CheckInterval(failures, nameof(o.RefreshInterval), o.RefreshInterval);
        CheckInterval(failures, nameof(o.SnapshotMaxAge), o.SnapshotMaxAge);
        if (o.MaxTopPages is < 1 or > 1000) failures.Add($"{S}:MaxTopPages must be between 1 and 1000, was {o.MaxTopPages}.");
        if (o.CandidateMargin is < 0 or > 1000) failures.Add($"{S}:CandidateMargin must be between 0 and 1000, was {o.CandidateMargin}.");
        if (o.ActiveSessionWindow < TimeSpan.FromMinutes(1) || o.ActiveSessionWindow > TimeSpan.FromHours(24))
            failures.Add($"{S}:ActiveSessionWindow must be between 1 minute and 24 hours, was {o.ActiveSessionWindow}.");
        if (o.MaxTrackedPageMinutes < 1000) failures.Add($"{S}:MaxTrackedPageMinutes must be at least 1000, was {o.MaxTrackedPageMinutes}.");
        if (o.SiloSilenceTimeout < TimeSpan.FromSeconds(2)) failures.Add($"{S}:SiloSilenceTimeout must be at least 2 s, was {o.SiloSilenceTimeout}.");
        if (o.RateSeriesSeconds is < 10 or > 3600) failures.Add($"{S}:RateSeriesSeconds must be between 10 and 3600, was {o.RateSeriesSeconds}.");
        if (o.RateAverageSeconds < 1 || o.RateAverageSeconds > o.RateSeriesSeconds)
            failures.Add($"{S}:RateAverageSeconds must be between 1 and RateSeriesSeconds, was {o.RateAverageSeconds}.");
        if (o.VisitorSketchPrecision is < 4 or > 16) failures.Add($"{S}:VisitorSketchPrecision must be between 4 and 16, was {o.VisitorSketchPrecision}.");
        if (o.SessionSketchPrecision is < 4 or > 16) failures.Add($"{S}:SessionSketchPrecision must be between 4 and 16, was {o.SessionSketchPrecision}.");
        if (o.PageReadTimeout <= TimeSpan.Zero) failures.Add($"{S}:PageReadTimeout must be positive, was {o.PageReadTimeout}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckInterval(List<string> failures, string key, TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(50) || value > TimeSpan.FromMinutes(1))
            failures.Add($"{S}:{key} must be between 50 ms and 1 minute, was {value}.");
    }
}
