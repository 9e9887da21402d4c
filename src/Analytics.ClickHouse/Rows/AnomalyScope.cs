namespace Analytics.ClickHouse.Rows;

/// <summary>What an anomaly concerns; stored as <c>'page'</c> or <c>'site'</c>.</summary>
public enum AnomalyScope
{
    /// <summary>One page (<c>'page'</c>).</summary>
    Page,

    /// <summary>The whole site (<c>'site'</c>).</summary>
    Site,
}
