namespace Analytics.Contracts.Anomalies;

/// <summary>The Orleans stream live anomaly subscribers listen to.</summary>
public static class AnomalyStreams
{
    /// <summary>The stream provider (Orleans memory streams) carrying anomaly notifications.</summary>
    public const string ProviderName = "anomalies";

    /// <summary>The stream namespace.</summary>
    public const string Namespace = "anomalies";

    /// <summary>The key of the one stream every notification is published on.</summary>
    public const string Key = "all";
}
