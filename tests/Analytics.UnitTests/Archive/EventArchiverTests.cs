using System.Diagnostics.Metrics;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Testing;
using Analytics.Grains.Archive;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.UnitTests.Archive;

/// <summary>
/// The raw archive's effectively-once rules: a partition resumes after what the ledger and ClickHouse hold (per table),
/// a poll's offsets are not committable until its rows are written, a retried write repeats exactly the same insert
/// (same rows, same deduplication token), a new owner revokes the previous owner's lease and repeats its last claimed
/// range under the same token, so neither a write that landed but reported failure nor a previous owner's late write
/// is stored twice.
/// </summary>
public sealed class EventArchiverTests
{
    private const string Topic = "events";

    private readonly InMemoryAnalyticsSink store = new();
    private readonly InMemoryArchiveLedger ledger = new();

    [Fact]
    public async Task Replay_OfWhatClickHouseAlreadyHolds_IsNotWrittenAgain()
    {
        var first = await OwnerOfPartition0Async(store);
        Enqueue(first, 0, 0, 9);
        await first.WriteOnceAsync(CancellationToken.None);

        // A crash before the offset commit: the next owner starts from an older offset and polls 5..14 again.
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 5, 14);
        await next.WriteOnceAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task Replay_EntirelyBelowWhatClickHouseHolds_LeavesNothingPending()
    {
        var first = await OwnerOfPartition0Async(store);
        Enqueue(first, 0, 0, 9);
        await first.WriteOnceAsync(CancellationToken.None);

        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 3, 8);

        Assert.Null(next.DurableOffset(0));
        Assert.Equal(10, AllOffsets().Count);
    }

    [Fact]
    public async Task Offsets_AreCommittableOnlyOnceTheirPollIsWritten_AndAFailingPartitionHoldsBackNoOther()
    {
        var archiver = await OwnerOfPartition0Async(store, new ArchiveOptions { MaxParallelInserts = 1 });
        await archiver.StartPartitionAsync(Topic, 1, CancellationToken.None);
        Enqueue(archiver, 0, 0, 9);
        Enqueue(archiver, 0, 10, 19);
        Enqueue(archiver, 1, 100, 104);
        Assert.Equal(0, archiver.DurableOffset(0));
        Assert.Equal(100, archiver.DurableOffset(1));

        store.FailNext(new AnalyticsSinkException("down", "page_views", isTransient: true, null));
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => archiver.WriteOnceAsync(CancellationToken.None));
        Assert.Equal(0, archiver.DurableOffset(0));
        Assert.Null(archiver.DurableOffset(1));

        await archiver.WriteOnceAsync(CancellationToken.None);
        Assert.Null(archiver.DurableOffset(0));
        Assert.Null(archiver.DurableOffset(1));
    }

    [Fact]
    public async Task WriteThatLandedButReportedFailure_IsNotWrittenAgain()
    {
        var ambiguous = new LandsThenFailsSink(store);
        var archiver = await OwnerOfPartition0Async(ambiguous);
        Enqueue(archiver, 0, 0, 9, deadLetterEvery: 4);
        ambiguous.FailAfterNextWrite = true;
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => archiver.WriteOnceAsync(CancellationToken.None));
        Assert.Equal(0, archiver.DurableOffset(0)); // still pending: the outcome is unknown

        // A newer poll arrives before the retry; the retry repeats the same inserts, which ClickHouse drops by token.
        Enqueue(archiver, 0, 10, 19, deadLetterEvery: 4);
        await archiver.WriteOnceAsync(CancellationToken.None);
        Assert.Equal(ambiguous.Tokens[..2], ambiguous.Tokens[2..4]);
        await archiver.WriteOnceAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), AllOffsets());
        Assert.Null(archiver.DurableOffset(0));
    }

    [Fact]
    public async Task WriteThatDidNotLand_IsRetriedAsTheSameInsert()
    {
        var failing = new LandsThenFailsSink(store) { FailNextEventsWithoutLanding = true };
        var archiver = await OwnerOfPartition0Async(failing);
        Enqueue(archiver, 0, 0, 9);
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => archiver.WriteOnceAsync(CancellationToken.None));

        Enqueue(archiver, 0, 10, 19); // must not join the retry: that would change the insert and its token
        await archiver.WriteOnceAsync(CancellationToken.None);
        await archiver.WriteOnceAsync(CancellationToken.None);

        Assert.Equal(3, failing.Tokens.Count);
        Assert.Equal(failing.Tokens[0], failing.Tokens[1]);
        Assert.NotEqual(failing.Tokens[1], failing.Tokens[2]);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task PreviousOwner_AfterTheHandOver_CanNeitherWriteNorCommitWhatItPolled()
    {
        // The partition moves while its previous owner still holds a poll it has not claimed.
        var previous = await OwnerOfPartition0Async(store);
        Enqueue(previous, 0, 0, 9, deadLetterEvery: 5);
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 0, 14, deadLetterEvery: 5);

        await previous.WriteOnceAsync(CancellationToken.None);
        Assert.Empty(store.RawEvents);
        Enqueue(previous, 0, 10, 19); // later polls are not buffered either
        Assert.Equal(0, previous.DurableOffset(0)); // and never committable: the new owner decides what is written
        await DrainAsync(next, 0);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), AllOffsets());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PreviousOwnersInsert_InFlightDuringTheHandOver_IsStoredOnce(bool landsBeforeTheNewOwnersWrite)
    {
        // The previous owner claimed 0-9 and sent its insert; the insert is still on its way when the partition moves.
        var slow = new HoldingAnalyticsSink(store);
        var previous = await OwnerOfPartition0Async(slow);
        Enqueue(previous, 0, 0, 9, deadLetterEvery: 4);
        var inFlight = previous.WriteOnceAsync(CancellationToken.None);
        await slow.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The new owner replays from the last commit (offset 0), in two polls that do not match the claimed range.
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 0, 6, deadLetterEvery: 4);
        Assert.Equal(0, next.DurableOffset(0));
        await next.WriteOnceAsync(CancellationToken.None);
        Assert.Empty(store.RawEvents); // the claimed range is written whole or not at all
        Enqueue(next, 0, 7, 14, deadLetterEvery: 4);

        if (landsBeforeTheNewOwnersWrite)
        {
            slow.Release.SetResult();
            await inFlight;
        }
        await DrainAsync(next, 0);
        if (!landsBeforeTheNewOwnersWrite)
        {
            slow.Release.SetResult();
            await inFlight;
        }

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task PreviousOwnersLastClaim_PassedByTheCommit_IsNotWrittenAgain()
    {
        var previous = await OwnerOfPartition0Async(store);
        Enqueue(previous, 0, 0, 9);
        await previous.WriteOnceAsync(CancellationToken.None);

        // It committed through 9, then died: the next owner reads from 10 on.
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 10, 14);
        await DrainAsync(next, 0);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task PreviousOwnersLastClaim_WithTheCommitInsideIt_IsNotWrittenAgain()
    {
        var previous = await OwnerOfPartition0Async(store);
        Enqueue(previous, 0, 0, 9, deadLetterEvery: 9);
        await previous.WriteOnceAsync(CancellationToken.None);

        // Written, but deliveries lagged: the commit stopped at 6, inside the claim, and the next owner reads from there.
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 6, 12, deadLetterEvery: 9);
        Enqueue(next, 0, 13, 15, deadLetterEvery: 9);
        await DrainAsync(next, 0);

        Assert.Equal(Enumerable.Range(0, 16).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task CrashBetweenTheEventInsertAndTheDeadLetterInsert_LosesNoDeadLetter_AndDuplicatesNoEvent()
    {
        var crashing = new LandsThenFailsSink(store) { DropNextDeadLetters = true };
        var first = await OwnerOfPartition0Async(crashing);
        Enqueue(first, 0, 0, 9, deadLetterEvery: 3);
        // The events land, the process dies before its dead letters do.
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => first.WriteOnceAsync(CancellationToken.None));
        Assert.Equal(6, store.RawEvents.Count);
        Assert.Empty(store.DeadLetters);

        // The next owner replays the partition from the last commit (offset 0).
        var next = await OwnerOfPartition0Async(store);
        Enqueue(next, 0, 0, 12, deadLetterEvery: 3);
        await DrainAsync(next, 0);

        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), AllOffsets());
        Assert.Equal([0L, 3, 6, 9, 12], store.DeadLetters.Select(d => d.KafkaOffset).Order());
    }

    [Fact]
    public async Task PartitionGivenUpUnwritten_NoLongerCountsTowardsBackPressure()
    {
        var archiver = await OwnerOfPartition0Async(store, new ArchiveOptions { MaxPendingRows = 5 });
        await archiver.StartPartitionAsync(Topic, 1, CancellationToken.None);
        Enqueue(archiver, 0, 0, 9);
        Assert.True(archiver.IsSaturated);

        // ClickHouse is down and the partition moves away: its rows stay uncommitted for the next owner.
        await archiver.StopPartitionAsync(0, new CancellationToken(canceled: true));

        Assert.False(archiver.IsSaturated);
        Assert.Null(archiver.DurableOffset(0));
    }

    [Fact]
    public async Task PollOfAPartitionNotStartedHere_IsNotBuffered()
    {
        var archiver = Archiver(store);
        Enqueue(archiver, 3, 0, 9);
        await archiver.WriteOnceAsync(CancellationToken.None);
        Assert.Empty(store.RawEvents);
        Assert.Null(archiver.DurableOffset(3));
    }

    private List<long> AllOffsets() =>
        store.RawEvents.Select(r => r.KafkaOffset).Concat(store.DeadLetters.Select(d => d.KafkaOffset)).Order().ToList();

    /// <summary>Writes until <paramref name="partition"/> has nothing pending (bounded: one range per round).</summary>
    private static async Task DrainAsync(EventArchiver archiver, int partition)
    {
        for (var round = 0; round < 10 && archiver.DurableOffset(partition) is not null; round++)
            await archiver.WriteOnceAsync(CancellationToken.None);
        Assert.Null(archiver.DurableOffset(partition));
    }

    /// <summary>An archiver that has taken over partition 0 (acquired its lease), as a silo starting to read it.</summary>
    private async Task<EventArchiver> OwnerOfPartition0Async(IAnalyticsSink sink, ArchiveOptions? options = null)
    {
        var archiver = Archiver(sink, options);
        await archiver.StartPartitionAsync(Topic, 0, CancellationToken.None);
        return archiver;
    }

    private EventArchiver Archiver(IAnalyticsSink sink, ArchiveOptions? options = null) => new(
        sink,
        ledger,
        Options.Create(options ?? new ArchiveOptions()),
        new PipelineMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
        TimeProvider.System,
        NullLogger<EventArchiver>.Instance);

    /// <summary>Enqueues a poll of offsets first..last; every <paramref name="deadLetterEvery"/>-th record is malformed.</summary>
    private static void Enqueue(EventArchiver archiver, int partition, long first, long last, int deadLetterEvery = 0)
    {
        var events = new List<RawEventRow>();
        var deadLetters = new List<DeadLetterRow>();
        for (var offset = first; offset <= last; offset++)
        {
            if (deadLetterEvery > 0 && offset % deadLetterEvery == 0)
            {
                deadLetters.Add(new DeadLetterRow
                {
                    ReceivedAt = DateTime.UnixEpoch, KafkaTopic = Topic, KafkaPartition = partition, KafkaOffset = offset,
                    Reason = "not json", Raw = new byte[] { 1, 2, 3 },
                });
            }
            else
            {
                events.Add(new RawEventRow
                {
                    Timestamp = DateTime.UnixEpoch, Page = "/p", Event = "page_view", KafkaTopic = Topic,
                    KafkaPartition = partition, KafkaOffset = offset, IngestedAt = DateTime.UnixEpoch,
                });
            }
        }

        archiver.Enqueue(Topic, partition, first, last, events, deadLetters);
    }


    /// <summary>
    /// Stores every append, but can throw after storing (the insert landed, the response was lost) or instead of storing
    /// dead letters (the process died between the two inserts), and records the deduplication token of every append in
    /// call order.
    /// </summary>
    private sealed class LandsThenFailsSink(InMemoryAnalyticsSink inner) : ForwardingAnalyticsSink(inner)
    {
        public bool FailAfterNextWrite { get; set; }

        public bool DropNextDeadLetters { get; set; }

        public bool FailNextEventsWithoutLanding { get; set; }

        public List<string> Tokens { get; } = [];

        public override async Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default)
        {
            Tokens.Add(deduplicationToken);
            if (FailNextEventsWithoutLanding)
            {
                FailNextEventsWithoutLanding = false;
                throw new AnalyticsSinkException("connection refused", "page_views", isTransient: true, null);
            }

            await base.WriteRawEventsAsync(rows, deduplicationToken, cancellationToken);
        }

        public override async Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default)
        {
            Tokens.Add(deduplicationToken);
            if (DropNextDeadLetters)
            {
                DropNextDeadLetters = false;
                throw new AnalyticsSinkException("connection reset", "dead_letters", isTransient: true, null);
            }

            await base.WriteDeadLettersAsync(rows, deduplicationToken, cancellationToken);
            if (FailAfterNextWrite)
            {
                FailAfterNextWrite = false;
                throw new AnalyticsSinkException("response lost", "dead_letters", isTransient: true, null);
            }
        }
    }
}
