namespace Analytics.ClickHouse;

/// <summary>Names for wiring this project's telemetry into OpenTelemetry.</summary>
public static class ClickHouseTelemetry
{
    /// <summary>
    /// The meter of the ClickHouse writers: <c>analytics-clickhouse-rows-written</c>,
    /// <c>analytics-clickhouse-insert-failures</c> and <c>analytics-clickhouse-insert-duration</c>, tagged by table.
    /// </summary>
    public const string MeterName = "Analytics.ClickHouse";
}
