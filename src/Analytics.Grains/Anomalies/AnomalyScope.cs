namespace Analytics.Grains.Anomalies;

/// <summary>What traffic a detector watches.</summary>
[GenerateSerializer]
public enum AnomalyScope
{
    /// <summary>One page's events.</summary>
    Page = 0,

    /// <summary>The whole site's events, summed over all pages.</summary>
    Site = 1,
}
