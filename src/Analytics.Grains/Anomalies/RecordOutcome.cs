namespace Analytics.Grains.Anomalies;

/// <summary>What became of events handed to <see cref="AnomalyMonitor.Record"/> or <see cref="RateSeries.Add"/>.</summary>
public enum RecordOutcome
{
    /// <summary>Counted in a second that is still open: it will be evaluated with them.</summary>
    Counted = 0,

    /// <summary>
    /// Their second was already complete. <see cref="RateSeries.Add"/> leaves them to the caller;
    /// <see cref="AnomalyMonitor.Record"/> has added them to that second in the statistics after all.
    /// </summary>
    Late = 1,

    /// <summary>Too late to matter any more (older than the baseline window, or in an excluded second): not counted.</summary>
    TooLate = 2,

    /// <summary>Too far ahead of the clock (beyond the open seconds, e.g. a producer's clock is wrong): not counted.</summary>
    TooFarAhead = 3,
}
