using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers.Caching;

/// <summary>
/// Reads one stream's containers from its <see cref="StreamLog"/> only, so moving never scans other streams.
/// Containers it handed out stay pinned (not reported delivered) until the pulling agent can no longer be
/// delivering them: with one container per delivery, until the next move; with batched delivery, until the move
/// that follows a move which found no data (the agent delivers a batch only after such a move, and moves again
/// only after that delivery completed).
/// </summary>
internal sealed class StreamIndexedCursor : IQueueCacheCursor
{
    private readonly StreamLog _log;
    private readonly bool _batchedDelivery;
    private readonly Action<StreamLog> _onDisposed;
    private StreamSequenceToken? _skipOlderThan;
    private CachedBatch? _current;
    private bool _foundNoData;
    private bool _disposed;

    public StreamIndexedCursor(StreamLog log, long next, StreamSequenceToken? skipOlderThan, bool batchedDelivery,
        Action<StreamLog> onDisposed)
    {
        _log = log;
        Next = next;
        PinnedFrom = next;
        _skipOlderThan = skipOlderThan;
        _batchedDelivery = batchedDelivery;
        _onDisposed = onDisposed;
        log.Cursors.Add(this);
    }

    /// <summary>Absolute index of the next container to hand out.</summary>
    public long Next { get; private set; }

    /// <summary>Absolute index of the oldest container that may still be in delivery (or still to be read).</summary>
    public long PinnedFrom { get; private set; }

    public IBatchContainer? GetCurrent(out Exception? exception)
    {
        exception = null;
        return _current?.Batch;
    }

    [Obsolete("Use MoveNextWithResult instead.")]
    public bool MoveNext() => Move();

    public QueueCacheCursorMoveResult MoveNextWithResult() =>
        Move() ? QueueCacheCursorMoveResult.Success : QueueCacheCursorMoveResult.NoData;

    private bool Move()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_batchedDelivery || _foundNoData) PinnedFrom = Next;
        _foundNoData = false;
        while (Next < _log.End)
        {
            var item = _log.At(Next++);
            if (_skipOlderThan is { } token)
            {
                if (item.Batch.SequenceToken.Older(token)) continue;
                _skipOlderThan = null;
            }
            _current = item;
            return true;
        }
        _current = null;
        _foundNoData = true;
        return false;
    }

    /// <summary>New containers are appended to the stream's log, where the next move finds them: nothing to do.</summary>
    public void Refresh(StreamSequenceToken token)
    {
    }

    /// <summary>Marks every container handed out and not yet released as failed, so none of them is reported delivered.</summary>
    public void RecordDeliveryFailure()
    {
        for (var index = Math.Max(PinnedFrom, _log.Start); index < Next; index++) _log.At(index).DeliveryFailed = true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _current = null;
        _log.Cursors.Remove(this);
        _onDisposed(_log);
    }

    public override string ToString() => $"[StreamIndexedCursor {_log.StreamId} next {Next} pinned from {PinnedFrom}]";
}
