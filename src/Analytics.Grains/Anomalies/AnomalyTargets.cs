namespace Analytics.Grains.Anomalies;

/// <summary>Where an anomaly notification is delivered; flags, so a delivery can track what is still to do.</summary>
[Flags]
[GenerateSerializer]
public enum AnomalyTargets
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>A row in ClickHouse <c>analytics.anomalies</c>.</summary>
    ClickHouse = 1,

    /// <summary>A JSON message on the anomalies Kafka topic.</summary>
    Kafka = 2,

    /// <summary>The Orleans stream live subscribers listen to.</summary>
    Stream = 4,

    /// <summary>The configured webhook URLs.</summary>
    Webhooks = 8,

    /// <summary>Every target.</summary>
    All = ClickHouse | Kafka | Stream | Webhooks,
}
