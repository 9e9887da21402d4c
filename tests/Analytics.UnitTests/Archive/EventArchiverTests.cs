using System.Diagnostics.Metrics;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Testing;
using Analytics.Grains.Archive;
using Analytics.Grains.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.UnitTests.Archive;

/// <summary>
/// The raw archive's effectively-once rules: a partition resumes after what ClickHouse holds, a poll's offsets are not
/// committable until its rows are written, and a retried write repeats exactly the same insert (same rows, same
/// deduplication token), so a write that landed but reported failure is not stored twice.
/// </summary>
public sealed class EventArchiverTests
{
    private const string Topic = "events";

    private readonly InMemoryAnalyticsSink store = new();

    [Fact]
    public async Task Replay_OfWhatClickHouseAlreadyHolds_IsNotWrittenAgain()
    {
        var first = Archiver(store);
        await first.StartPartitionAsync(Topic, 0, CancellationToken.None);
        Enqueue(first, 0, 0, 9);
        await first.WriteOnceAsync(CancellationToken.None);

        // A crash before the offset commit: the next owner starts from an older offset and polls 5..14 again.
        var next = Archiver(store);
        await next.StartPartitionAsync(Topic, 0, CancellationToken.None);
        Enqueue(next, 0, 5, 14);
        await next.WriteOnceAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), AllOffsets());
    }

    [Fact]
    public async Task Replay_EntirelyBelowWhatClickHouseHolds_LeavesNothingPending()
    {
        var first = Archiver(store);
        await first.StartPartitionAsync(Topic, 0, CancellationToken.None);
        Enqueue(first, 0, 0, 9);
        await first.WriteOnceAsync(CancellationToken.None);

        var next = Archiver(store);
        await next.StartPartitionAsync(Topic, 0, CancellationToken.None);
        Enqueue(next, 0, 3, 8);

        Assert.Null(next.DurableOffset(0));
        Assert.Equal(10, AllOffsets().Count);
    }

    [Fact]
    public async Task Offsets_AreCommittableOnlyOnceTheirPollIsWritten()
    {
        var archiver = Archiver(store);
        await archiver.StartPartitionAsync(Topic, 0, CancellationToken.None);
        await archiver.StartPartitionAsync(Topic, 1, CancellationToken.None);
        Enqueue(archiver, 0, 0, 9);
        Enqueue(archiver, 0, 10, 19);
        Enqueue(archiver, 1, 100, 104);
        Assert.Equal(0, archiver.DurableOffset(0));
        Assert.Equal(100, archiver.DurableOffset(1));

        store.FailNext(new AnalyticsSinkException("down", "page_views", isTransient: true, null));
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => archiver.WriteOnceAsync(CancellationToken.None));
        Assert.Equal(0, archiver.DurableOffset(0));
        Assert.Equal(100, archiver.DurableOffset(1));

        await archiver.WriteOnceAsync(CancellationToken.None);
        Assert.Null(archiver.DurableOffset(0));
        Assert.Null(archiver.DurableOffset(1));
    }

    [Fact]
    public async Task WriteThatLandedButReportedFailure_IsRetriedAsTheSameInsert_AndStoredOnce()
    {
        var ambiguous = new LandsThenFailsSink(store);
        var archiver = Archiver(ambiguous);
        await archiver.StartPartitionAsync(Topic, 0, CancellationToken.None);
        Enqueue(archiver, 0, 0, 9, deadLetterEvery: 4);
        ambiguous.FailAfterNextWrite = true;
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => archiver.WriteOnceAsync(CancellationToken.None));

        // A newer poll arrives before the retry: the retry must not mix it in (that would change the token).
        Enqueue(archiver, 0, 10, 19, deadLetterEvery: 4);
        await archiver.WriteOnceAsync(CancellationToken.None);
        await archiver.WriteOnceAsync(CancellationToken.None);

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), AllOffsets());
        Assert.Equal(ambiguous.Tokens[0], ambiguous.Tokens[2]); // the failed insert and its retry
        Assert.NotEqual(ambiguous.Tokens[0], ambiguous.Tokens[4]);
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

    private static EventArchiver Archiver(IAnalyticsSink sink) => new(
        sink,
        Options.Create(new ArchiveOptions()),
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
    /// Stores every append, but can throw after storing (the insert landed, the response was lost), and records the
    /// deduplication token of every append in call order.
    /// </summary>
    private sealed class LandsThenFailsSink(InMemoryAnalyticsSink inner) : IAnalyticsSink
    {
        public bool FailAfterNextWrite { get; set; }

        public List<string> Tokens { get; } = [];

        public async Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default)
        {
            Tokens.Add(deduplicationToken);
            await inner.WriteRawEventsAsync(rows, deduplicationToken, cancellationToken);
        }

        public async Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default)
        {
            Tokens.Add(deduplicationToken);
            await inner.WriteDeadLettersAsync(rows, deduplicationToken, cancellationToken);
            if (FailAfterNextWrite)
            {
                FailAfterNextWrite = false;
                throw new AnalyticsSinkException("response lost", "dead_letters", isTransient: true, null);
            }
        }

        public Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
            inner.WriteLateEventsAsync(rows, deduplicationToken, cancellationToken);

        public Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default) =>
            inner.WritePageMinutesAsync(rows, cancellationToken);

        public Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default) =>
            inner.WriteSessionsAsync(rows, cancellationToken);

        public Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default) =>
            inner.WriteSessionMinutesAsync(rows, cancellationToken);

        public Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default) =>
            inner.WriteAnomaliesAsync(rows, cancellationToken);

        public Task<long?> GetMaxArchivedOffsetAsync(string topic, int partition, CancellationToken cancellationToken = default) =>
            inner.GetMaxArchivedOffsetAsync(topic, partition, cancellationToken);

        public Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default) =>
            inner.RefreshSessionMinutesAsync(lookback, inactivityTimeout, cancellationToken);
    }
}
