namespace Analytics.Grains.Anomalies;

/// <summary>
/// Receives anomaly starts and ends from detectors (page grains, the site-wide aggregator). Implementations are
/// silo singletons that must not block: queue and return. Every registered sink receives every event.
/// </summary>
public interface IAnomalySink
{
    /// <summary>Hands over one anomaly event.</summary>
    void Publish(AnomalyEvent anomaly);
}
