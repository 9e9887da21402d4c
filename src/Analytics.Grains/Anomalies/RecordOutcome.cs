namespace Analytics.Grains.Anomalies;

/// <summary>What became of events handed to <see cref="AnomalyMonitor.Record"/> or <see cref="RateSeries.Add"/>.</summary>
public enum RecordOutcome
{
    /// <summary>Counted in a second that is still open: they will be evaluated with it.</summary>
    Counted = 0,

    /// <summary>
    /// Their second was already evaluated, so they are left out of detection. Adding them to the baseline alone
    /// would make it richer than the current rate, which can never include them, and bias every comparison
    /// towards drops; <see cref="AnomalyOptions.SettleDelay"/> is the tolerance for events out of order.
    /// </summary>
    Late = 1,

    /// <summary>Too far ahead of the clock (beyond the open seconds, e.g. a producer's clock is wrong): not counted.</summary>
    TooFarAhead = 2,
}
