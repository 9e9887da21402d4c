using System.Diagnostics.Metrics;

namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>Instruments of the sharded state stores (meter <c>Analytics.Persistence</c>, like the batched storages), one instance per process.</summary>
public sealed class ShardedStateStoreMetrics : IDisposable
{
    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public ShardedStateStoreMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(BatchedStorageMetrics.MeterName);
        WriteItems = _meter.CreateHistogram<int>("shard-write-items", "{item}", "Items upserted or deleted by one shard write (tag: store).");
        Duration = _meter.CreateHistogram<double>("shard-duration", "ms", "Duration of one sharded state store round trip (tags: store, operation).");
        WriteConflicts = _meter.CreateCounter<long>("shard-write-conflicts", "{write}", "Shard writes that lost their version check (tag: store).");
    }

    /// <summary>Items changed per write.</summary>
    public Histogram<int> WriteItems { get; }

    /// <summary>Round-trip duration of reads and writes.</summary>
    public Histogram<double> Duration { get; }

    /// <summary>Writes refused by the version check.</summary>
    public Counter<long> WriteConflicts { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
