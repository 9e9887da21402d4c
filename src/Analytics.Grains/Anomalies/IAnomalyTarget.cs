namespace Analytics.Grains.Anomalies;

/// <summary>
/// One place anomaly notifications are delivered to (ClickHouse, Kafka, the Orleans stream, webhooks). Silo
/// singletons, thread-safe; <see cref="AnomalyPublisher"/> calls each with the deliveries that still need it.
/// </summary>
public interface IAnomalyTarget
{
    /// <summary>Which target this is.</summary>
    AnomalyTargets Target { get; }

    /// <summary>Whether it is configured; a disabled target counts as delivered without being called.</summary>
    bool IsEnabled { get; }

    /// <summary>
    /// Delivers <paramref name="deliveries"/> and returns, per delivery in the same order, whether it is done.
    /// A delivery that is not done is retried later. Throwing counts as "none done".
    /// </summary>
    Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken);
}
