namespace Analytics.Grains.Anomalies;

/// <summary>Which way traffic left its baseline.</summary>
[GenerateSerializer]
public enum AnomalyDirection
{
    /// <summary>The rate rose above the baseline.</summary>
    Spike = 0,

    /// <summary>The rate fell below the baseline.</summary>
    Drop = 1,
}
