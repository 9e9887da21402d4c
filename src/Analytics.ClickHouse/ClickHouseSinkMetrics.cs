using System.Diagnostics.Metrics;

namespace Analytics.ClickHouse;

/// <summary>Metrics of the ClickHouse writers (meter <c>Analytics.ClickHouse</c>).</summary>
internal sealed class ClickHouseSinkMetrics
{
    /// <summary>The meter name, for OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = ClickHouseTelemetry.MeterName;

    private readonly Counter<long> rowsWritten;
    private readonly Counter<long> insertFailures;
    private readonly Histogram<double> insertDuration;

    public ClickHouseSinkMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        rowsWritten = meter.CreateCounter<long>("analytics-clickhouse-rows-written", "{row}", "Rows sent in successful inserts, by table.");
        insertFailures = meter.CreateCounter<long>("analytics-clickhouse-insert-failures", "{insert}", "Failed inserts, by table and transience.");
        insertDuration = meter.CreateHistogram<double>("analytics-clickhouse-insert-duration", "s", "Duration of one insert, by table.");
    }

    public void Inserted(string table, int rows, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("table", table);
        rowsWritten.Add(rows, tag);
        insertDuration.Record(elapsed.TotalSeconds, tag);
    }

    public void InsertFailed(string table, bool transient) =>
        insertFailures.Add(1, new KeyValuePair<string, object?>("table", table), new KeyValuePair<string, object?>("transient", transient));
}
