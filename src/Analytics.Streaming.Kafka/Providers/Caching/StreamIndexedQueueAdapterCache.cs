using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers.Caching;

/// <summary>Creates a <see cref="StreamIndexedQueueCache"/> for each queue (Kafka partition) a pulling agent reads.</summary>
/// <param name="cacheSize">Most containers each queue's cache holds.</param>
/// <param name="batchedDelivery">Whether the pulling agent delivers more than one container per call (<c>BatchContainerBatchSize</c> &gt; 1).</param>
internal sealed class StreamIndexedQueueAdapterCache(int cacheSize, bool batchedDelivery) : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) => new StreamIndexedQueueCache(cacheSize, batchedDelivery);
}
