using Analytics.Contracts;
using Analytics.Streaming.Kafka.Providers;
using Analytics.Streaming.Kafka.Providers.Caching;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;
using Xunit;

namespace Analytics.UnitTests.Streaming;

/// <summary>
/// The stream-indexed queue cache: cursors read only their stream, and a container is reported delivered (so its
/// offset may be committed) only once no cursor can still be delivering it.
/// </summary>
public sealed class StreamIndexedQueueCacheTests
{
    private static readonly StreamId A = StreamId.Create(StreamNamespaces.Page, "/a");
    private static readonly StreamId B = StreamId.Create(StreamNamespaces.Session, "s-1");

    private static KafkaBatchContainer Container(StreamId stream, long offset, int index = 0) =>
        new(stream, new EventSequenceTokenV2(offset, index), [$"e{offset}"], [offset]);

    private static List<long> Offsets(IList<IBatchContainer>? purged) =>
        purged?.Select(c => c.SequenceToken.SequenceNumber).ToList() ?? [];

    private static List<long> ReadAll(IQueueCacheCursor cursor)
    {
        var read = new List<long>();
        while (cursor.MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success)
            read.Add(cursor.GetCurrent(out _)!.SequenceToken.SequenceNumber);
        return read;
    }

    private static IQueueCacheCursor Cursor(StreamIndexedQueueCache cache, StreamId stream, long? offset) =>
        cache.TryGetCacheCursor(stream, offset is { } o ? new EventSequenceTokenV2(o) : null).Cursor!;

    [Fact]
    public void Cursor_ReadsOnlyItsStream_InOrder_AndSeesLaterAdditions()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 1), Container(B, 1, 1), Container(A, 2), Container(B, 3)]);
        using var cursor = Cursor(cache, A, 1);

        Assert.Equal([1, 2], ReadAll(cursor));
        cache.AddToCache([Container(B, 4), Container(A, 5)]);
        cursor.Refresh(new EventSequenceTokenV2(5));
        Assert.Equal([5], ReadAll(cursor));
    }

    [Fact]
    public void Cursor_StartsAtTheFirstContainerNotOlderThanItsToken()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 1), Container(A, 3), Container(A, 5)]);

        using var cursor = Cursor(cache, A, 2);

        Assert.Equal([3, 5], ReadAll(cursor));
    }

    [Fact]
    public void TokenNewerThanEverything_WaitsAndSkipsOlderArrivals()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 1)]);
        using var cursor = Cursor(cache, A, 10);
        Assert.Empty(ReadAll(cursor));

        cache.AddToCache([Container(A, 8), Container(A, 12)]);

        Assert.Equal([12], ReadAll(cursor));
    }

    [Fact]
    public void TokenOlderThanTheCache_IsACacheMiss()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 5), Container(A, 6)]);

        var result = cache.TryGetCacheCursor(A, new EventSequenceTokenV2(4));

        Assert.Equal(QueueCacheCursorResultKind.CacheMiss, result.Kind);
        Assert.Equal(5, result.CacheMiss!.Value.LowToken!.SequenceNumber);
        Assert.Equal(6, result.CacheMiss.Value.HighToken!.SequenceNumber);
    }

    [Fact]
    public void StreamWithoutCursor_IsPurgedAtOnce_WhileAPinningCursorHoldsItsStream()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(B, 1), Container(A, 2), Container(B, 3)]);
        var pin = Cursor(cache, A, 2);

        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1], Offsets(purged)); // in arrival order: B@3 waits behind the pinned A@2

        pin.Dispose();
        Assert.True(cache.TryPurgeFromCache(out purged));
        Assert.Equal([2, 3], Offsets(purged));
        Assert.Equal(0, cache.Size);
        Assert.Equal(0, cache.StreamCount);
    }

    [Fact]
    public void SingleDelivery_ReleasesAContainerAtTheNextMove()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: false);
        cache.AddToCache([Container(A, 1), Container(A, 2)]);
        using var cursor = Cursor(cache, A, 1);

        Assert.Equal(QueueCacheCursorMoveResultKind.Success, cursor.MoveNextWithResult().Kind);
        Assert.False(cache.TryPurgeFromCache(out _)); // offset 1 is being delivered

        Assert.Equal(QueueCacheCursorMoveResultKind.Success, cursor.MoveNextWithResult().Kind);
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1], Offsets(purged));
    }

    [Fact]
    public void BatchedDelivery_ReleasesTheBatchOnlyAtTheMoveAfterItEnded()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 1), Container(A, 2)]);
        using var cursor = Cursor(cache, A, 1);

        Assert.Equal([1, 2], ReadAll(cursor)); // the agent's batch, ended by a move that found no data
        Assert.False(cache.TryPurgeFromCache(out _)); // ... and now being delivered

        Assert.Equal(QueueCacheCursorMoveResultKind.NoData, cursor.MoveNextWithResult().Kind); // after delivery
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([1, 2], Offsets(purged));
    }

    [Fact]
    public void FailedDelivery_IsNeverReportedDelivered()
    {
        var cache = new StreamIndexedQueueCache(100, batchedDelivery: true);
        cache.AddToCache([Container(A, 1), Container(A, 2), Container(B, 3)]);
        using var cursor = Cursor(cache, A, 1);
        ReadAll(cursor);

        cursor.RecordDeliveryFailure();
        cursor.MoveNextWithResult();

        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([3], Offsets(purged));
        Assert.Equal(0, cache.Size);
    }

    [Fact]
    public void Pressure_And_MaxAddCount_FollowTheCacheSize()
    {
        var cache = new StreamIndexedQueueCache(20, batchedDelivery: true);
        Assert.Equal(2, cache.GetMaxAddCount());
        using var pin = Cursor(cache, A, 0);

        cache.AddToCache(Enumerable.Range(0, 18).Select(i => (IBatchContainer)Container(A, i)).ToList());
        Assert.False(cache.IsUnderPressure());
        cache.AddToCache([Container(A, 18)]);
        Assert.True(cache.IsUnderPressure());
        Assert.Throws<CacheFullException>(() => cache.AddToCache([Container(A, 19), Container(A, 20)]));
    }
}
