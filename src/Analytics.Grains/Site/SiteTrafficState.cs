using Analytics.Grains.Anomalies;

namespace Analytics.Grains.Site;

/// <summary>
/// What the site traffic grain writes when it deactivates, so that the next activation (on another silo after a
/// graceful shutdown or a rebalance) keeps the baseline instead of warming up again. Bounded: Window +
/// EvaluationWindow counts, 128 history slots and one entry per recently reporting silo.
/// </summary>
[GenerateSerializer]
[Alias("analytics.SiteTrafficState.v1")]
public sealed class SiteTrafficState
{
    /// <summary>When the state was written (UTC); a state older than the restore limit is ignored.</summary>
    [Id(0)] public DateTime? SavedAt { get; set; }

    /// <summary>The site detector.</summary>
    [Id(1)] public AnomalyMonitorState? Monitor { get; set; }

    /// <summary>The seconds (Unix seconds) of the per-second history slots.</summary>
    [Id(2)] public long[] HistorySeconds { get; set; } = [];

    /// <summary>The counts of the per-second history slots.</summary>
    [Id(3)] public long[] HistoryCounts { get; set; } = [];

    /// <summary>The last report applied per sender.</summary>
    [Id(4)] public List<SiteSenderState> Senders { get; set; } = [];
}

/// <summary>The last report applied from one sender.</summary>
[GenerateSerializer]
[Alias("analytics.SiteSenderState.v1")]
public sealed class SiteSenderState
{
    /// <summary>See <see cref="SiteTrafficReport.Sender"/>.</summary>
    [Id(0)] public string Sender { get; set; } = "";

    /// <summary>The highest sequence applied.</summary>
    [Id(1)] public long Sequence { get; set; }

    /// <summary>When the sender last reported (UTC).</summary>
    [Id(2)] public DateTime LastSeen { get; set; }
}
