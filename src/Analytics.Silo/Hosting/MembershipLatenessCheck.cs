using Analytics.Grains;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Analytics.Silo.Hosting;

/// <summary>
/// Warns at start-up when failure detection can take as long as <c>Pipeline:AllowedLateness</c>: a crashed silo's
/// partitions are read again only after it is declared dead, and events replayed later than the lateness (plus the
/// wall-clock grace) find their windows final and leave the rollups. A warning, not a failure: a deployment may
/// knowingly trade exact totals through crashes for a short lateness.
/// </summary>
public sealed partial class MembershipLatenessCheck(
    IOptions<ClusterMembershipOptions> membership,
    IOptions<PipelineOptions> pipeline,
    ILogger<MembershipLatenessCheck> logger) : IHostedService
{
    /// <summary>
    /// The longest a silo that stopped answering stays undeclared: every missed probe may wait the adaptive probe
    /// timeout's upper bound. Excludes Orleans' extension while the probing silo itself is degraded.
    /// </summary>
    public static TimeSpan WorstCaseDetection(ClusterMembershipOptions options) =>
        options.MaxProbeTimeout * options.NumMissedProbesLimit;

    /// <summary>Whether <paramref name="membership"/> detects a dead silo in less than the allowed lateness.</summary>
    public static bool DetectsWithinLateness(ClusterMembershipOptions membership, PipelineOptions pipeline) =>
        WorstCaseDetection(membership) < pipeline.AllowedLateness;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var m = membership.Value;
        var p = pipeline.Value;
        if (!DetectsWithinLateness(m, p))
        {
            LogDetectionSlowerThanLateness(WorstCaseDetection(m), m.MaxProbeTimeout, m.NumMissedProbesLimit, p.AllowedLateness);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message =
        "Failure detection may take {Detection} (Silo:Membership:MaxProbeTimeout {MaxProbeTimeout} x Silo:Membership:NumMissedProbesLimit {Missed}), " +
        "not less than Pipeline:AllowedLateness {Lateness}: after a silo crash its partitions' replayed events can arrive after their windows are final " +
        "and be counted as late instead of in the rollups. Shorten Silo:Membership:ProbeTimeout/MaxProbeTimeout or raise Pipeline:AllowedLateness.")]
    private partial void LogDetectionSlowerThanLateness(TimeSpan detection, TimeSpan maxProbeTimeout, int missed, TimeSpan lateness);
}
