using Analytics.Streaming.Kafka.Mapping;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// A read-only adapter: events enter through Kafka producers (web apps, the load generator), never through
/// Orleans stream producers, so the JSON contract on the topic stays the only way in.
/// </summary>
internal sealed class KafkaQueueAdapter(
    string name,
    KafkaStreamOptions options,
    HashRingBasedPartitionedStreamQueueMapper queueMapper,
    IKafkaRecordMapper mapper,
    IKafkaPartitionListener listener,
    KafkaStreamMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggerFactory) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId)
    {
        var partition = int.Parse(queueMapper.QueueToPartition(queueId), System.Globalization.CultureInfo.InvariantCulture);
        return new KafkaQueueAdapterReceiver(options, partition, mapper, listener, metrics, time,
            loggerFactory.CreateLogger<KafkaQueueAdapterReceiver>());
    }

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException(
            $"Stream provider '{name}' reads Kafka topic '{options.Topic}' only; produce JSON records to the topic instead.");
}
