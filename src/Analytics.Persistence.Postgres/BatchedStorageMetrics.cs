using System.Diagnostics.Metrics;

namespace Analytics.Persistence.Postgres;

/// <summary>Instruments of the batched grain storages (meter <c>Analytics.Persistence</c>), one instance per silo.</summary>
public sealed class BatchedStorageMetrics : IDisposable
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "Analytics.Persistence";

    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public BatchedStorageMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        BatchRows = _meter.CreateHistogram<int>("state-batch-rows", "{row}", "Grain states read or written in one PostgreSQL round trip (tags: storage, operation).");
        BatchDuration = _meter.CreateHistogram<double>("state-batch-duration", "ms", "Duration of one batched PostgreSQL round trip (tags: storage, operation).");
        WriteConflicts = _meter.CreateCounter<long>("state-write-conflicts", "{write}", "Grain state writes that lost their version check (tag: storage).");
    }

    /// <summary>Rows per round trip.</summary>
    public Histogram<int> BatchRows { get; }

    /// <summary>Round-trip duration.</summary>
    public Histogram<double> BatchDuration { get; }

    /// <summary>Writes refused by the version check.</summary>
    public Counter<long> WriteConflicts { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
