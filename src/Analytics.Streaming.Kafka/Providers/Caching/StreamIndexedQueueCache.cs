using System.Diagnostics.CodeAnalysis;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers.Caching;

/// <summary>
/// A queue cache indexed by stream. Orleans' <c>SimpleQueueCache</c> keeps one list for all streams, so each
/// cursor walks every other stream's containers and placing a new stream's cursor walks the list too: the cost
/// grows with streams × containers per poll, which many short-lived session streams make quadratic. Here each
/// stream has its own log, a cursor only ever reads its own, and placing one is a binary search.
/// </summary>
/// <remarks>
/// Containers leave the cache in arrival order, each once no cursor of its stream may still deliver it (see
/// <see cref="StreamIndexedCursor"/>); failed deliveries are never reported as delivered. Like the simple cache,
/// a cursor asked for a token older than everything retained gets a cache miss, and a token newer than
/// everything waits for data. Not thread-safe: the pulling agent uses its cache from its own turns only.
/// </remarks>
internal sealed class StreamIndexedQueueCache : IQueueCache
{
    private readonly Queue<CachedBatch> _arrivals = new();
    private readonly Dictionary<StreamId, StreamLog> _streams = new();
    private readonly int _maxSize;
    private readonly int _maxAddCount;
    private readonly bool _batchedDelivery;
    private StreamSequenceToken? _newest;

    /// <param name="maxSize">Most containers held.</param>
    /// <param name="batchedDelivery">Whether the pulling agent delivers more than one container per call.</param>
    public StreamIndexedQueueCache(int maxSize, bool batchedDelivery)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSize, 1);
        _maxSize = maxSize;
        _maxAddCount = Math.Max(1, maxSize / 10);
        _batchedDelivery = batchedDelivery;
    }

    /// <summary>Containers held.</summary>
    public int Size => _arrivals.Count;

    /// <summary>Streams with containers or cursors.</summary>
    public int StreamCount => _streams.Count;

    public int GetMaxAddCount() => _maxAddCount;

    public bool IsUnderPressure() => _arrivals.Count > _maxSize - _maxAddCount;

    public void AddToCache(IList<IBatchContainer> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (_arrivals.Count + messages.Count > _maxSize) throw new CacheFullException();
        foreach (var message in messages)
        {
            _arrivals.Enqueue(LogOf(message.StreamId).Append(message));
            _newest = message.SequenceToken;
        }
    }

    public bool TryPurgeFromCache([MaybeNullWhen(false)] out IList<IBatchContainer> purgedItems)
    {
        List<IBatchContainer>? purged = null;
        while (_arrivals.TryPeek(out var oldest) && oldest.Log.IsReleased(oldest.Index))
        {
            _arrivals.Dequeue();
            oldest.Log.RemoveOldest();
            if (!oldest.DeliveryFailed) (purged ??= []).Add(oldest.Batch);
            ForgetIfIdle(oldest.Log);
        }
        purgedItems = purged;
        return purged is not null;
    }

    [Obsolete("Use TryGetCacheCursor instead.")]
    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        var result = TryGetCacheCursor(streamId, token);
        return result.Cursor ?? throw result.CacheMiss!.Value.ToException();
    }

    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursor(StreamId streamId, StreamSequenceToken? token)
    {
        // Arrivals are in token order, so the last one added is the newest while anything is held.
        if (_arrivals.TryPeek(out var oldest) && _newest is { } newest)
        {
            // Like the simple cache: no token means "from the newest container on".
            token ??= newest;
            if (token.Older(oldest.Batch.SequenceToken))
                return QueueCacheCursorResult<IQueueCacheCursor>.FromCacheMiss(new QueueCacheMissInfo(token, oldest.Batch.SequenceToken, newest));
        }
        var log = LogOf(streamId);
        var next = token is null ? log.End : log.FirstAtOrAfter(token);
        return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(new StreamIndexedCursor(log, next, token, _batchedDelivery, ForgetIfIdle));
    }

    private void ForgetIfIdle(StreamLog log)
    {
        if (log.IsIdle && _streams.TryGetValue(log.StreamId, out var current) && ReferenceEquals(current, log)) _streams.Remove(log.StreamId);
    }

    private StreamLog LogOf(StreamId streamId)
    {
        if (!_streams.TryGetValue(streamId, out var log))
        {
            log = new StreamLog(streamId);
            _streams.Add(streamId, log);
        }
        return log;
    }
}
