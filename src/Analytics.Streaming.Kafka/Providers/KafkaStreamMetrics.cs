using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>Instruments of the Kafka stream provider (meter <c>Analytics.Streaming.Kafka</c>).</summary>
internal sealed class KafkaStreamMetrics : IDisposable
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "Analytics.Streaming.Kafka";

    private readonly Meter _meter;
    private readonly ConcurrentDictionary<(string Topic, int Partition), long> _lag = new();

    public KafkaStreamMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        RecordsConsumed = _meter.CreateCounter<long>("kafka-records-consumed", "{record}", "Records read from Kafka.");
        RecordsRejected = _meter.CreateCounter<long>("kafka-records-rejected", "{record}", "Malformed records handed to the dead-letter path.");
        ContainersDelivered = _meter.CreateCounter<long>("kafka-containers-delivered", "{container}", "Batch containers delivered to all consumers.");
        OffsetsCommitted = _meter.CreateCounter<long>("kafka-offsets-committed", "{offset}", "Offsets stored for commit to the consumer group.");
        _meter.CreateObservableGauge("kafka-consumer-lag", ObserveLag, "{record}", "High watermark minus the next offset to read, per partition.");
    }

    public Counter<long> RecordsConsumed { get; }

    public Counter<long> RecordsRejected { get; }

    public Counter<long> ContainersDelivered { get; }

    public Counter<long> OffsetsCommitted { get; }

    public void SetLag(string topic, int partition, long lag) => _lag[(topic, partition)] = lag;

    public void RemoveLag(string topic, int partition) => _lag.TryRemove((topic, partition), out _);

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        foreach (var ((topic, partition), lag) in _lag)
        {
            yield return new Measurement<long>(lag,
                new KeyValuePair<string, object?>("topic", topic),
                new KeyValuePair<string, object?>("partition", partition));
        }
    }

    public void Dispose() => _meter.Dispose();
}
