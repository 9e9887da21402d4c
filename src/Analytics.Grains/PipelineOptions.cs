using Microsoft.Extensions.Options;

namespace Analytics.Grains;

/// <summary>Windowing, watermark and flush settings (configuration section <c>Pipeline</c>).</summary>
public sealed class PipelineOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Pipeline";

    /// <summary>How far behind the newest event time of a partition the watermark trails. Defaults to 10 s.</summary>
    public TimeSpan AllowedLateness { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A partition whose reader reports no record for this long stops holding the watermark back. Only a partition
    /// that is still reported can be idle; see <see cref="UnreportedPartitionHold"/>. Defaults to 30 s.
    /// </summary>
    public TimeSpan IdlePartitionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a partition that nobody reports any more (its silo died and it is not re-assigned yet) keeps holding
    /// the watermark at its last known position before it is forgotten. It must outlast a recovery; it is bounded
    /// because a partition nobody will ever read again (fewer partitions after a redeploy) would otherwise stop the
    /// watermark for good, and session grains, unlike page windows, have no wall-clock fallback. Between 10 s and
    /// 1 hour; <see cref="EffectiveUnreportedPartitionHold"/> is never shorter than a window's wall-clock deadline.
    /// Defaults to 5 min.
    /// </summary>
    public TimeSpan UnreportedPartitionHold { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <see cref="UnreportedPartitionHold"/>, at least <c>AllowedLateness + WallClockGrace + FlushInterval</c>: a
    /// shorter hold would release a dead silo's partition before the wall clock closes its windows anyway, and its
    /// replayed events would turn late sooner than the fallback allows (raised, not refused, so a long lateness does
    /// not make the default invalid).
    /// </summary>
    public TimeSpan EffectiveUnreportedPartitionHold =>
        UnreportedPartitionHold > FinalAfterEnd + FlushInterval ? UnreportedPartitionHold : FinalAfterEnd + FlushInterval;

    /// <summary>
    /// Extra wall-clock time after <c>window end + AllowedLateness</c> at which a window becomes final even if the
    /// watermark has not passed it (traffic stopped). Defaults to 2 s.
    /// </summary>
    public TimeSpan WallClockGrace { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often page grains close windows and flush grains write to ClickHouse. Defaults to 1 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Number of flush grains; a page always uses the same one. Defaults to 4.</summary>
    public int FlushShards { get; set; } = 4;

    /// <summary>A rollup handed to a flush grain and not acknowledged within this time is handed over again. Defaults to 30 s.</summary>
    public TimeSpan FlushAckTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Final windows kept in a page grain for live reads. Defaults to 10.</summary>
    public int RecentWindows { get; set; } = 10;

    /// <summary>Open windows a page grain keeps at most; past it the oldest becomes final early. Defaults to 15.</summary>
    public int MaxOpenWindows { get; set; } = 15;

    /// <summary>Late events kept per page grain until handed to a flush grain; beyond, they are only counted. Defaults to 10,000.</summary>
    public int MaxPendingLateEvents { get; set; } = 10_000;

    /// <summary>Event timestamps more than this after the record's Kafka timestamp are rejected as malformed. Defaults to 10 min.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often a silo reports partition progress and refreshes its view of the watermark. Defaults to 250 ms.</summary>
    public TimeSpan WatermarkRefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Whether grains write their state to grain storage (durable with ADO.NET storage). When false, state lives
    /// in grain memory only and a silo crash loses its open windows. Set by the host from
    /// <c>Silo:Persistence</c>. Defaults to true.
    /// </summary>
    public bool PersistState { get; set; } = true;

    /// <summary>Wall-clock time after which a window is final regardless of the watermark.</summary>
    public TimeSpan FinalAfterEnd => AllowedLateness + WallClockGrace;

    /// <summary>
    /// A partition last reported longer ago than this counts as unreported: four refresh intervals (at least 1 s),
    /// so a sync delayed by a busy silo does not count, a dead silo's partitions do within a second.
    /// </summary>
    public TimeSpan PartitionReportTimeout => WatermarkRefreshInterval * 4 > TimeSpan.FromSeconds(1) ? WatermarkRefreshInterval * 4 : TimeSpan.FromSeconds(1);
}

/// <summary>Stops start-up with a message naming the offending <c>Pipeline</c> setting.</summary>
public sealed class PipelineOptionsValidator : IValidateOptions<PipelineOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, PipelineOptions options)
    {
        var failures = new List<string>();
        if (options.AllowedLateness < TimeSpan.Zero || options.AllowedLateness > TimeSpan.FromMinutes(10))
            failures.Add($"Pipeline:AllowedLateness must be between 0 and 10 minutes, was {options.AllowedLateness}.");
        if (options.IdlePartitionTimeout <= TimeSpan.Zero)
            failures.Add($"Pipeline:IdlePartitionTimeout must be positive, was {options.IdlePartitionTimeout}.");
        if (options.WallClockGrace < TimeSpan.Zero)
            failures.Add($"Pipeline:WallClockGrace must not be negative, was {options.WallClockGrace}.");
        if (options.FlushInterval < TimeSpan.FromMilliseconds(50) || options.FlushInterval > TimeSpan.FromMinutes(1))
            failures.Add($"Pipeline:FlushInterval must be between 50 ms and 1 minute, was {options.FlushInterval}.");
        if (options.FlushShards is < 1 or > 1024)
            failures.Add($"Pipeline:FlushShards must be between 1 and 1024, was {options.FlushShards}.");
        if (options.FlushAckTimeout <= options.FlushInterval)
            failures.Add($"Pipeline:FlushAckTimeout must be longer than Pipeline:FlushInterval, was {options.FlushAckTimeout}.");
        if (options.RecentWindows is < 0 or > 1440)
            failures.Add($"Pipeline:RecentWindows must be between 0 and 1440, was {options.RecentWindows}.");
        if (options.MaxOpenWindows is < 2 or > 120)
            failures.Add($"Pipeline:MaxOpenWindows must be between 2 and 120, was {options.MaxOpenWindows}.");
        if (options.MaxPendingLateEvents < 0)
            failures.Add($"Pipeline:MaxPendingLateEvents must not be negative, was {options.MaxPendingLateEvents}.");
        if (options.MaxFutureSkew <= TimeSpan.Zero)
            failures.Add($"Pipeline:MaxFutureSkew must be positive, was {options.MaxFutureSkew}.");
        if (options.WatermarkRefreshInterval <= TimeSpan.Zero || options.WatermarkRefreshInterval > TimeSpan.FromSeconds(10))
            failures.Add($"Pipeline:WatermarkRefreshInterval must be between 0 and 10 s, was {options.WatermarkRefreshInterval}.");
        if (options.UnreportedPartitionHold < TimeSpan.FromSeconds(10) || options.UnreportedPartitionHold > TimeSpan.FromHours(1))
            failures.Add($"Pipeline:UnreportedPartitionHold must be between 10 s and 1 hour, was {options.UnreportedPartitionHold}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
