namespace Analytics.Grains.Anomalies;

// Persisted state of the anomaly detection: plain classes with settable properties, so that JSON and the
// Orleans serializer can both carry them (page grains persist them with their window state).
// Seconds are Unix seconds (UTC). Sizes are bounded by the options: about Window + EvaluationWindow counts.
// The live classes copy in and out of these (Snapshot/Restore) and validate on the way in, so a state written
// by an older build or under other options cannot corrupt them.

/// <summary>Everything an <see cref="AnomalyMonitor"/> needs to continue where it stopped.</summary>
[GenerateSerializer]
[Alias("analytics.AnomalyMonitorState.v1")]
public sealed class AnomalyMonitorState
{
    /// <summary>The seconds still open for events.</summary>
    [Id(0)] public RateSeriesState Series { get; set; } = new();

    /// <summary>The baseline, evaluation window and incident.</summary>
    [Id(1)] public AnomalyDetectorState Detector { get; set; } = new();
}

/// <summary>The open seconds of a <see cref="RateSeries"/>.</summary>
[GenerateSerializer]
[Alias("analytics.RateSeriesState.v1")]
public sealed class RateSeriesState
{
    /// <summary>The oldest second still open; <see langword="null"/> before the series has seen a clock or an event.</summary>
    [Id(0)] public long? FirstOpenSecond { get; set; }

    /// <summary>The counts of the open seconds from <see cref="FirstOpenSecond"/> on; trailing zeros left out.</summary>
    [Id(1)] public long[] OpenCounts { get; set; } = [];
}

/// <summary>The state of an <see cref="AnomalyDetector"/>.</summary>
[GenerateSerializer]
[Alias("analytics.AnomalyDetectorState.v1")]
public sealed class AnomalyDetectorState
{
    /// <summary>The last completed second fed to the detector; <see langword="null"/> before the first.</summary>
    [Id(0)] public long? LastSecond { get; set; }

    /// <summary>
    /// The baseline's per-second counts, oldest first, one per second of the window;
    /// <see cref="RollingStatistics.ExcludedSlot"/> (-1) for seconds kept out of it.
    /// </summary>
    [Id(1)] public long[] Baseline { get; set; } = [];

    /// <summary>The evaluation window's counts, oldest first, ending at <see cref="LastSecond"/>.</summary>
    [Id(2)] public long[] Recent { get; set; } = [];

    /// <summary>The open incident, if any.</summary>
    [Id(3)] public IncidentState? Incident { get; set; }

    /// <summary>The first second at which a new spike may start; <see langword="null"/> when not cooling down.</summary>
    [Id(4)] public long? SpikeCooldownUntil { get; set; }

    /// <summary>The first second at which a new drop may start; <see langword="null"/> when not cooling down.</summary>
    [Id(5)] public long? DropCooldownUntil { get; set; }
}

/// <summary>An open incident.</summary>
[GenerateSerializer]
[Alias("analytics.IncidentState.v1")]
public sealed class IncidentState
{
    /// <summary>See <see cref="AnomalyEvent.IncidentId"/>.</summary>
    [Id(0)] public string Id { get; set; } = "";

    /// <summary>Spike or drop.</summary>
    [Id(1)] public AnomalyDirection Direction { get; set; }

    /// <summary>The second the incident started.</summary>
    [Id(2)] public long StartSecond { get; set; }

    /// <summary>The rate at <see cref="PeakZScore"/>.</summary>
    [Id(3)] public double PeakRate { get; set; }

    /// <summary>The most extreme z-score so far.</summary>
    [Id(4)] public double PeakZScore { get; set; }

    /// <summary>How many consecutive evaluated seconds have been back within the threshold.</summary>
    [Id(5)] public int CalmSeconds { get; set; }

    /// <summary>The first second of the current calm run (meaningful when <see cref="CalmSeconds"/> &gt; 0).</summary>
    [Id(6)] public long CalmSince { get; set; }
}
