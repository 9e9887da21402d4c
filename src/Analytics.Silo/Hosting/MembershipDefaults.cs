using Orleans.Configuration;

namespace Analytics.Silo.Hosting;

/// <summary>
/// Failure detection fast enough for the pipeline (configuration section <c>Silo:Membership</c>, any
/// <see cref="ClusterMembershipOptions"/> property). A dead silo's partitions are read again only after it is declared
/// dead; their replayed events count in their windows only if that, plus the hand-over, stays within
/// <c>Pipeline:AllowedLateness</c> (10 s by default). Orleans' defaults (5 s probes, 3 missed, effective timeout up
/// to 20 s) detect a crash in about 15 s, up to a minute: so these defaults are applied, then the section on top.
/// </summary>
public static class MembershipDefaults
{
    /// <summary>
    /// Initial probe timeout and period. Defaults to 2 s (Orleans: 5 s); Orleans adapts the effective value per
    /// monitored silo between half of it and <see cref="MaxProbeTimeout"/>.
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Upper bound of the adaptive probe timeout. Defaults to 3 s (Orleans: 4 x ProbeTimeout); applied only when
    /// neither <c>ProbeTimeout</c> nor <c>MaxProbeTimeout</c> is configured, so a longer configured probe timeout keeps
    /// Orleans' own bound.
    /// </summary>
    public static readonly TimeSpan MaxProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Missed probes before a silo votes the other one dead. Defaults to 2 (Orleans: 3). Two, not one: a single lost
    /// probe (a GC pause, a starved thread pool on a small host) must not evict a live silo; Orleans also suppresses
    /// a vote while the connection to the suspect still carries messages.
    /// </summary>
    public const int NumMissedProbesLimit = 2;

    /// <summary>
    /// How often a silo reads the membership table, the fallback when a death announcement (gossip) is missed.
    /// Defaults to 10 s (Orleans: 60 s): one small PostgreSQL query per silo per period.
    /// </summary>
    public static readonly TimeSpan TableRefreshTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Heartbeat period in the membership table. Defaults to 10 s (Orleans: 30 s): after a cluster-wide crash a
    /// restarting silo ignores entries without a heartbeat for 2 periods, so it joins after 20 s rather than 60 s.
    /// </summary>
    public static readonly TimeSpan IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Applies the defaults to <paramref name="options"/>, leaving what <paramref name="section"/> configures.</summary>
    public static void Apply(ClusterMembershipOptions options, IConfiguration section)
    {
        // NumVotesForDeathDeclaration stays at Orleans' 2: Orleans requires at most half the active silos, so in a
        // two-silo cluster the survivor's own vote suffices, and in larger ones two silos must agree.
        options.ProbeTimeout = ProbeTimeout;
        if (section[nameof(ClusterMembershipOptions.ProbeTimeout)] is null && section[nameof(ClusterMembershipOptions.MaxProbeTimeout)] is null)
            options.MaxProbeTimeout = MaxProbeTimeout;
        options.NumMissedProbesLimit = NumMissedProbesLimit;
        options.TableRefreshTimeout = TableRefreshTimeout;
        options.IAmAliveTablePublishTimeout = IAmAliveTablePublishTimeout;
    }
}
