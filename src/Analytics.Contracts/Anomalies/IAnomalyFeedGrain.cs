namespace Analytics.Contracts.Anomalies;

/// <summary>
/// The bounded feed of recent anomaly notifications (key 0). Detectors append through the silo's publisher in
/// batches; dashboards read it. Anomalies are rare, so one grain is no bottleneck.
/// </summary>
public interface IAnomalyFeedGrain : IGrainWithIntegerKey
{
    /// <summary>Appends notifications (duplicates by incident id and kind are ignored).</summary>
    Task AppendAsync(AnomalyNotification[] notifications);

    /// <summary>Returns up to <paramref name="limit"/> most recent notifications, newest first.</summary>
    Task<AnomalyNotification[]> GetRecentAsync(int limit);
}
