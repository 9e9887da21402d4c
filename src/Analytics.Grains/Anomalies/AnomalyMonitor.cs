namespace Analytics.Grains.Anomalies;

/// <summary>
/// One scope's anomaly detection end to end: counts events per second of event time (<see cref="RateSeries"/>)
/// and feeds each completed second to an <see cref="AnomalyDetector"/>. A page grain keeps one for its page; the
/// site-wide aggregator keeps one fed with per-second counts that silos have pre-aggregated.
/// </summary>
/// <remarks>
/// <para>
/// Call <see cref="Record"/> for the events of each applied batch, and <see cref="AdvanceTo"/> with the clock
/// after each batch and from a timer, so that seconds complete even when no event arrives (that is how a drop to
/// zero is seen). A second is evaluated at the first <see cref="AdvanceTo"/> at or after its end plus
/// <see cref="AnomalyOptions.SettleDelay"/>, so a timer period of 250-500 ms adds at most that to the
/// detection latency. Persist <see cref="Snapshot"/> with the grain state and pass it back to the constructor.
/// </para>
/// <para>Not thread-safe: meant for one grain turn at a time.</para>
/// </remarks>
public sealed class AnomalyMonitor
{
    private readonly RateSeries _series;
    private readonly List<SecondCount> _completed = [];
    private readonly List<AnomalyEvent> _events = [];

    /// <summary>Creates a monitor, empty or continuing from <paramref name="state"/>.</summary>
    /// <param name="options">The settings; must pass <see cref="AnomalyOptionsValidator"/>.</param>
    /// <param name="scope">Page or site.</param>
    /// <param name="page">The page path for <see cref="AnomalyScope.Page"/>; ignored for the site.</param>
    /// <param name="state">A <see cref="Snapshot"/> to continue from, or <see langword="null"/> to start fresh.</param>
    public AnomalyMonitor(AnomalyOptions options, AnomalyScope scope, string? page, AnomalyMonitorState? state = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Detector = state?.Detector is { } detector
            ? AnomalyDetector.Restore(options, scope, page, detector)
            : new AnomalyDetector(options, scope, page);
        _series = state?.Series is { } series
            ? RateSeries.Restore(options.SettleDelay, series)
            : new RateSeries(options.SettleDelay);
    }

    /// <summary>The detector, for its readings (<see cref="AnomalyDetector.LastReading"/> and friends).</summary>
    public AnomalyDetector Detector { get; }

    /// <summary>Counts <paramref name="count"/> events that happened at <paramref name="eventTime"/> (UTC).</summary>
    /// <returns>
    /// <see cref="RecordOutcome.Counted"/> normally; <see cref="RecordOutcome.Late"/> or
    /// <see cref="RecordOutcome.TooFarAhead"/> when they were left out of detection (worth a metric, not an error).
    /// </returns>
    public RecordOutcome Record(DateTime eventTime, long count = 1) => _series.Add(eventTime, count);

    /// <summary>
    /// Evaluates every second completed by <paramref name="now"/> (UTC) and returns the incidents that started or
    /// ended, oldest first; usually none.
    /// </summary>
    public IReadOnlyList<AnomalyEvent> AdvanceTo(DateTime now)
    {
        _completed.Clear();
        _events.Clear();
        var through = _series.AdvanceTo(now, _completed);
        foreach (var (second, count) in _completed)
        {
            // Only a state restored from mismatched parts could hand over a second twice; skip it, don't fail.
            if (Detector.LastSecond is not { } last || second > last)
            {
                Detector.Complete(second, count, now, _events);
            }
        }

        if (through is { } completedThrough)
        {
            Detector.CompleteThrough(completedThrough, now, _events);
        }

        return _events.Count == 0 ? [] : [.. _events];
    }

    /// <summary>Copies the state out for persistence.</summary>
    public AnomalyMonitorState Snapshot() => new() { Series = _series.Snapshot(), Detector = Detector.Snapshot() };
}
