namespace Analytics.Grains.Anomalies;

// Persisted state of the anomaly detection: plain classes with settable properties, so that JSON and the
// Orleans serializer can both carry them (add [GenerateSerializer]/[Id] here when a grain persists them).
// Seconds are Unix seconds (UTC). Sizes are bounded by the options: about Window + EvaluationWindow counts.
// The live classes copy in and out of these (Snapshot/Restore) and validate on the way in, so a state written
// by an older build or under other options cannot corrupt them.

/// <summary>Everything an <see cref="AnomalyMonitor"/> needs to continue where it stopped.</summary>
public sealed class AnomalyMonitorState
{
    /// <summary>The seconds still open for events.</summary>
    public RateSeriesState Series { get; set; } = new();

    /// <summary>The baseline, evaluation window and incident.</summary>
    public AnomalyDetectorState Detector { get; set; } = new();
}

/// <summary>The open seconds of a <see cref="RateSeries"/>.</summary>
public sealed class RateSeriesState
{
    /// <summary>The oldest second still open; <see langword="null"/> before the series has seen a clock or an event.</summary>
    public long? FirstOpenSecond { get; set; }

    /// <summary>The counts of the open seconds from <see cref="FirstOpenSecond"/> on; trailing zeros left out.</summary>
    public long[] OpenCounts { get; set; } = [];
}

/// <summary>The state of an <see cref="AnomalyDetector"/>.</summary>
public sealed class AnomalyDetectorState
{
    /// <summary>The last completed second fed to the detector; <see langword="null"/> before the first.</summary>
    public long? LastSecond { get; set; }

    /// <summary>
    /// The baseline's per-second counts, oldest first, one per second of the window;
    /// <see cref="RollingStatistics.ExcludedSlot"/> (-1) for seconds kept out of it.
    /// </summary>
    public long[] Baseline { get; set; } = [];

    /// <summary>The evaluation window's counts, oldest first, ending at <see cref="LastSecond"/>.</summary>
    public long[] Recent { get; set; } = [];

    /// <summary>The open incident, if any.</summary>
    public IncidentState? Incident { get; set; }

    /// <summary>The first second at which a new spike may start; <see langword="null"/> when not cooling down.</summary>
    public long? SpikeCooldownUntil { get; set; }

    /// <summary>The first second at which a new drop may start; <see langword="null"/> when not cooling down.</summary>
    public long? DropCooldownUntil { get; set; }
}

/// <summary>An open incident.</summary>
public sealed class IncidentState
{
    /// <summary>See <see cref="AnomalyEvent.IncidentId"/>.</summary>
    public string Id { get; set; } = "";

    /// <summary>Spike or drop.</summary>
    public AnomalyDirection Direction { get; set; }

    /// <summary>The second the incident started.</summary>
    public long StartSecond { get; set; }

    /// <summary>The rate at <see cref="PeakZScore"/>.</summary>
    public double PeakRate { get; set; }

    /// <summary>The most extreme z-score so far.</summary>
    public double PeakZScore { get; set; }

    /// <summary>How many consecutive evaluated seconds have been back within the threshold.</summary>
    public int CalmSeconds { get; set; }

    /// <summary>The first second of the current calm run (meaningful when <see cref="CalmSeconds"/> &gt; 0).</summary>
    public long CalmSince { get; set; }
}
