using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Events;
using Analytics.Grains.Sessions;
using Xunit;

namespace Analytics.UnitTests.Sessions;

public sealed class SessionShardBookTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);
    private static readonly long Now = T0.Ticks;
    private static readonly SessionOptions Options = new()
    {
        InactivityTimeout = TimeSpan.FromMinutes(30),
        TombstoneRetention = TimeSpan.FromHours(1),
        MemoryIdleTimeout = TimeSpan.FromMinutes(1),
        MaxSessionsInMemory = 100,
    };

    private static AnalyticsEvent Event(string session, long offset, int secondsAfterT0 = 0, int partition = 0, string page = "/a") => new()
    {
        EventType = "page_view",
        Page = page,
        UserId = "u",
        SessionId = session,
        Timestamp = T0.AddSeconds(secondsAfterT0),
        Partition = partition,
        Offset = offset,
    };

    private static List<SessionRow> Apply(SessionShardBook book, params AnalyticsEvent[] events) => Apply(book, null, events);

    private static List<SessionRow> Apply(SessionShardBook book, IReadOnlyDictionary<string, SessionState>? loaded, params AnalyticsEvent[] events)
    {
        var rows = new List<SessionRow>();
        book.Apply(events, loaded, Now, rows);
        return rows;
    }

    [Fact]
    public void Apply_SkipsEventsAtOrBelowTheirPartitionsAppliedOffset()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("s1", 5, partition: 0), Event("s1", 3, partition: 1));

        var rows = new List<SessionRow>();
        var (applied, replayed) = book.Apply([Event("s1", 5, partition: 0), Event("s1", 2, partition: 1), Event("s1", 4, partition: 1)], null, Now, rows);

        Assert.Equal((1, 2), (applied, replayed));
        Assert.Equal(new Dictionary<int, long> { [0] = 5, [1] = 4 }, book.Progress.AppliedOffsets);
        Assert.Equal(3, Assert.Single(rows).EventCount);
    }

    [Fact]
    public void Apply_OffersOneCurrentRowPerTouchedSession_AndTheClosedRowOfAGenerationAnEventEnded()
    {
        var book = new SessionShardBook(Options, durable: false);
        Apply(book, Event("s1", 1, 0));

        var rows = Apply(book, Event("s1", 2, 31 * 60), Event("s2", 3, 31 * 60), Event("s2", 4, 31 * 60 + 5));

        Assert.Equal(["s1", "s1#2", "s2"], rows.Select(r => r.SessionId).Order());
        Assert.Equal(2, rows.Single(r => r.SessionId == "s2").EventCount);
    }

    [Fact]
    public void MissingKeys_AreTheSessionsOfNewEventsNeitherInMemoryNorAlreadyAskedFor()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("s1", 10));

        var missing = book.MissingKeys([Event("s1", 11), Event("s2", 12), Event("s3", 9), Event("s4", 13)], new HashSet<string> { "s4" }, Now);

        Assert.Equal(["s2"], missing); // s3's event is a replay
    }

    [Fact]
    public void Apply_ContinuesASessionReadFromTheStore()
    {
        var book = new SessionShardBook(Options, durable: true);
        var stored = new SessionState { UserId = "u", StartedAt = T0, LastActivityAt = T0, Events = 4, PageViews = 2, EntryPage = "/in", EntryAt = T0 };

        var rows = Apply(book, new Dictionary<string, SessionState> { ["s1"] = stored }, Event("s1", 1, 10, page: "/out"));

        var row = Assert.Single(rows);
        Assert.Equal((5, 3, "/in", "/out", T0), (row.EventCount, row.PageCount, row.EntryPage, row.ExitPage, row.StartedAt));
    }

    [Fact]
    public void TakeWrite_SendsOnlyWhatChanged_WithTheOffsets_AndAFailedWriteIsSentAgain()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("s1", 1), Event("s2", 2));
        var first = book.TakeWrite()!;
        book.Completed(first);
        Assert.Null(book.TakeWrite());

        Apply(book, Event("s2", 3));
        var second = book.TakeWrite()!;

        Assert.Equal(["s1", "s2"], first.Upserts.Select(i => i.Key).Order());
        Assert.Equal(["s2"], second.Upserts.Select(i => i.Key));
        Assert.Equal((1L, 2L), (first.Seq, second.Seq));
        Assert.All(second.Upserts, i => Assert.Equal(2L, i.WrittenSeq));
        Assert.Equal(3, SessionShardProgress.Decode(second.Header).AppliedOffsets[0]);
        Assert.Equal(2, SessionStateCodec.Decode(second.Upserts.Single().Payload).Events);

        book.Failed(second);
        var retry = book.TakeWrite()!;
        Assert.Equal(["s2"], retry.Upserts.Select(i => i.Key));
        Assert.Equal(1L, book.DurableSeq);
    }

    [Fact]
    public void Release_WhenDurable_RemovesOnlyIdleSessionsThatAreStored()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("stored", 1), Event("in-flight", 2));
        book.Completed(book.TakeWrite()!);
        Apply(book, Event("in-flight", 3), Event("dirty", 4));
        var inFlight = book.TakeWrite()!;
        Apply(book, Event("dirty", 5));

        var released = book.Release(Now + Options.MemoryIdleTimeout.Ticks);

        Assert.Equal(1, released);
        Assert.Equal(2, book.Count);
        book.Completed(inFlight);
        Assert.Equal(1, book.Release(Now + Options.MemoryIdleTimeout.Ticks));
        Assert.Equal(0, book.Release(Now + Options.MemoryIdleTimeout.Ticks)); // "dirty" still waits for its write
    }

    [Fact]
    public void Release_InMemoryMode_KeepsIdleSessions_AndOverTheCapDropsTheLeastRecentlyActive()
    {
        var book = new SessionShardBook(Options, durable: false);
        for (var i = 0; i < 105; i++)
        {
            book.Apply([Event($"s{i}", i + 1)], null, Now + i, []);
        }

        var released = book.Release(Now + TimeSpan.FromDays(1).Ticks);

        Assert.Equal((5, 100, 5L), (released, book.Count, book.TakeDropped()));
        Assert.Null(book.Snapshot("s4", T0));
        Assert.NotNull(book.Snapshot("s5", T0));
    }

    [Fact]
    public void CloseDue_ClosesSessionsTheWatermarkPassed_ThenForgetsTheirTombstonesAfterTheRetention()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("old", 1, 0), Event("young", 2, 20 * 60));
        book.Completed(book.TakeWrite()!);

        var rows = new List<SessionRow>();
        book.CloseDue(T0.AddMinutes(30), rows);

        var closed = Assert.Single(rows);
        Assert.Equal(("old", 3UL), (closed.SessionId, closed.Version));
        var write = book.TakeWrite()!;
        var tombstone = Assert.Single(write.Upserts);
        Assert.True(SessionStateCodec.Decode(tombstone.Payload).Closed);
        Assert.Equal(T0.AddHours(1), tombstone.ActiveAt);
        book.Completed(write);

        rows.Clear();
        book.CloseDue(T0.AddMinutes(90), rows);
        Assert.DoesNotContain(rows, r => r.SessionId == "old");
        Assert.Equal(["old"], book.TakeWrite()!.Deletes);
        Assert.Null(book.Snapshot("old", T0));
    }

    [Fact]
    public void AForgottenSession_ThatComesBackBeforeTheDeleteIsWritten_IsNotDeleted()
    {
        var book = new SessionShardBook(new SessionOptions { TombstoneRetention = TimeSpan.Zero }, durable: true);
        Apply(book, Event("s1", 1, 0));
        book.CloseDue(T0.AddMinutes(30), []);
        book.CloseDue(T0.AddMinutes(30), []);

        Apply(book, Event("s1", 2, 31 * 60));

        var write = book.TakeWrite()!;
        Assert.Empty(write.Deletes);
        Assert.Equal(["s1"], write.Upserts.Select(i => i.Key));
    }

    [Fact]
    public void RowsWrittenUpTo_IsStoredInTheHeaderOfTheNextWrite()
    {
        var book = new SessionShardBook(Options, durable: true);
        Apply(book, Event("s1", 1));
        book.Completed(book.TakeWrite()!);

        book.RowsWrittenUpTo(1);

        Assert.True(book.HasChanges);
        var write = book.TakeWrite()!;
        Assert.Empty(write.Upserts);
        Assert.Equal(1, SessionShardProgress.Decode(write.Header).RowsWrittenSeq);
    }

    [Fact]
    public void Restore_StartsFromTheStoredOffsetsAndSequence()
    {
        var progress = new SessionShardProgress { WriteSeq = 7, RowsWrittenSeq = 6 };
        progress.AppliedOffsets[3] = 100;
        var book = new SessionShardBook(Options, durable: true);

        book.Restore(SessionShardProgress.Decode(progress.Encode()));

        Assert.Equal(7, book.DurableSeq);
        Assert.Empty(Apply(book, Event("s1", 100, partition: 3)));
        Apply(book, Event("s1", 101, partition: 3));
        Assert.Equal(8, book.TakeWrite()!.Seq);
    }
}
