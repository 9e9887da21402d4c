namespace Analytics.ClickHouse.Rows;

/// <summary>
/// A detected anomaly for <c>anomalies</c> (ReplacingMergeTree keyed by <see cref="AnomalyId"/>: the highest
/// <see cref="Version"/> wins, so the row written when the anomaly ends replaces the one written when it began).
/// </summary>
public sealed record AnomalyRow
{
    /// <summary>A stable id of the anomaly.</summary>
    public required string AnomalyId { get; init; }

    /// <summary>When the anomaly was detected (UTC). Must not change between versions.</summary>
    public required DateTime DetectedAt { get; init; }

    /// <summary>Whether the anomaly concerns one page or the whole site.</summary>
    public required AnomalyScope Scope { get; init; }

    /// <summary>The page path, or an empty string for site-wide anomalies.</summary>
    public string Page { get; init; } = "";

    /// <summary>Whether the rate spiked or dropped.</summary>
    public required AnomalyDirection Direction { get; init; }

    /// <summary>The observed rate (events per second).</summary>
    public double ObservedRate { get; init; }

    /// <summary>The rolling mean of the rate over the baseline window.</summary>
    public double BaselineMean { get; init; }

    /// <summary>The rolling standard deviation of the rate over the baseline window.</summary>
    public double BaselineStddev { get; init; }

    /// <summary>The deviation in standard deviations: (observed - mean) / stddev.</summary>
    public double ZScore { get; init; }

    /// <summary>When the anomaly ended (UTC), or <see langword="null"/> while it is ongoing.</summary>
    public DateTime? EndedAt { get; init; }

    /// <summary>The row version: a higher version replaces a lower one for the same key.</summary>
    public required ulong Version { get; init; }
}
