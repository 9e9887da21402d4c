using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers.Caching;

/// <summary>One cached batch container, in its queue's arrival order and at an absolute index in its stream's log.</summary>
internal sealed class CachedBatch(IBatchContainer batch, StreamLog log, long index)
{
    public IBatchContainer Batch { get; } = batch;

    public StreamLog Log { get; } = log;

    public long Index { get; } = index;

    /// <summary>Set when delivering it failed: it is then never reported delivered (its offset is never committed).</summary>
    public bool DeliveryFailed { get; set; }
}

/// <summary>
/// The cached containers of one stream, oldest first, addressed by absolute index (the n-th container the stream
/// ever had in this cache), and the cursors reading them.
/// </summary>
internal sealed class StreamLog(StreamId streamId)
{
    private readonly List<CachedBatch> _items = [];
    private int _head;

    public StreamId StreamId { get; } = streamId;

    /// <summary>Absolute index of the oldest retained container.</summary>
    public long Start { get; private set; }

    /// <summary>Absolute index the next appended container gets.</summary>
    public long End => Start + _items.Count - _head;

    public List<StreamIndexedCursor> Cursors { get; } = [];

    public bool IsIdle => _items.Count == _head && Cursors.Count == 0;

    public CachedBatch At(long index) => _items[_head + (int)(index - Start)];

    public CachedBatch Append(IBatchContainer batch)
    {
        var item = new CachedBatch(batch, this, End);
        _items.Add(item);
        return item;
    }

    /// <summary>Drops the oldest container (the cache purges in arrival order, so it is always this stream's oldest).</summary>
    public void RemoveOldest()
    {
        _items[_head++] = null!;
        Start++;
        if (_head == _items.Count)
        {
            _items.Clear();
            _head = 0;
        }
        else if (_head >= 64 && _head * 2 >= _items.Count)
        {
            _items.RemoveRange(0, _head);
            _head = 0;
        }
    }

    /// <summary>Whether no cursor may still deliver the container at <paramref name="index"/>.</summary>
    public bool IsReleased(long index)
    {
        foreach (var cursor in Cursors)
        {
            if (cursor.PinnedFrom <= index) return false;
        }
        return true;
    }

    /// <summary>Absolute index of the first retained container whose token is not older than <paramref name="token"/>.</summary>
    public long FirstAtOrAfter(StreamSequenceToken token)
    {
        int low = _head, high = _items.Count;
        while (low < high)
        {
            var mid = low + (high - low) / 2;
            if (_items[mid].Batch.SequenceToken.Older(token)) low = mid + 1;
            else high = mid;
        }
        return Start + (low - _head);
    }
}
