namespace Analytics.ClickHouse.Rows;

/// <summary>Which way the rate deviated; stored as <c>'spike'</c> or <c>'drop'</c>.</summary>
public enum AnomalyDirection
{
    /// <summary>The rate rose above the baseline (<c>'spike'</c>).</summary>
    Spike,

    /// <summary>The rate fell below the baseline (<c>'drop'</c>).</summary>
    Drop,
}
