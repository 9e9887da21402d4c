using Analytics.ClickHouse;
using Analytics.ClickHouse.Testing;
using Analytics.Contracts.Flush;
using Analytics.Grains.Flush;
using Analytics.UnitTests.Windows;
using Xunit;

namespace Analytics.UnitTests.Flush;

/// <summary>
/// Late events handed to a flush grain are durable once the hand-over returns, and every insert into late_events is
/// repeatable: the batch and its token are fixed and stored before the insert, and a retry, by the same activation or
/// by a new one after a crash, writes exactly that batch under exactly that token.
/// </summary>
public sealed class LateEventLedgerTests
{
    private readonly FlushStateStore _store = new();
    private readonly InMemoryAnalyticsSink _sink = new();
    private readonly List<SealedLateBatch> _attempts = [];

    [Fact]
    public async Task HandedOverEvents_AreStoredBeforeTheHandOverReturns()
    {
        var ledger = _store.Activate();

        await ledger.AddAsync(Late(0, 1, 2));

        Assert.Equal(1, _store.Writes);
        Assert.Equal([0L, 1, 2], _store.Stored!.Pending.Select(l => l.Event.Offset));
        Assert.Equal(3, ledger.Count);
    }

    [Fact]
    public async Task HandOversWithoutNewLateEvents_WriteNoState()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(0, 1));

        await ledger.AddAsync([]);
        await ledger.AddAsync(Late(1, 0));

        Assert.Equal(1, _store.Writes);
        Assert.Equal(2, ledger.Count);
    }

    [Fact]
    public async Task AFailedStateWrite_FailsTheHandOver_AndTheRepeatedHandOverIsAccepted()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(0));
        _store.FailNextWrite();

        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.AddAsync(Late(1, 2)));
        Assert.Equal(1, ledger.Count);

        // The page grain kept them and hands them over again.
        await ledger.AddAsync(Late(1, 2));
        await FlushAsync(ledger);

        Assert.Equal([0L, 1, 2], _sink.LateEvents.Select(r => r.KafkaOffset));
    }

    [Fact]
    public async Task TheSealedBatch_IsStoredBeforeItsInsert()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(5, 3, 4));

        SealedLateBatch? storedDuringInsert = null;
        await ledger.FlushAsync((batch, ct) =>
        {
            storedDuringInsert = _store.Stored!.Sealed;
            return WriteAsync(batch, ct);
        }, CancellationToken.None);

        Assert.NotNull(storedDuringInsert);
        Assert.Equal(_attempts[0].Token, storedDuringInsert.Token);
        Assert.Equal([3L, 4, 5], storedDuringInsert.Events.Select(l => l.Event.Offset));
        Assert.Empty(_store.Stored!.Pending);
        Assert.Null(_store.Stored.Sealed);
    }

    [Fact]
    public async Task AFailedInsert_IsRetriedWithTheSameTokenAndRows_AndLaterEventsWaitForTheNextBatch()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(0, 1));
        _sink.FailNext(Transient());

        await Assert.ThrowsAsync<AnalyticsSinkException>(() => FlushAsync(ledger));
        await ledger.AddAsync(Late(2));
        Assert.Equal(2, await FlushAsync(ledger));
        Assert.Equal(1, await FlushAsync(ledger));

        Assert.Equal(3, _attempts.Count);
        Assert.Equal(_attempts[0].Token, _attempts[1].Token);
        Assert.Equal(_attempts[0].Events, _attempts[1].Events);
        Assert.NotEqual(_attempts[1].Token, _attempts[2].Token);
        Assert.Equal([0L, 1, 2], _sink.LateEvents.Select(r => r.KafkaOffset));
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public async Task AfterACrash_TheSealedBatchIsWrittenFirst_WithTheSameToken_AndEventsHandedOverAfterSealingFollow()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(10, 11));
        _sink.FailNext(Transient());
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => FlushAsync(ledger));
        await ledger.AddAsync(Late(12));

        var reactivated = _store.CrashAndReactivate();

        Assert.Equal(3, reactivated.Count);
        Assert.Equal(2, await FlushAsync(reactivated));
        Assert.Equal(1, await FlushAsync(reactivated));
        Assert.Equal(_attempts[0].Token, _attempts[1].Token);
        Assert.Equal(_attempts[0].Events, _attempts[1].Events);
        Assert.Equal([12L], _attempts[2].Events.Select(l => l.Event.Offset));
        Assert.Equal([10L, 11, 12], _sink.LateEvents.Select(r => r.KafkaOffset));
    }

    [Fact]
    public async Task ACrashAfterTheInsertLanded_RepeatsItUnderItsToken_AndLateEventsHoldOneCopy()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(7, 8));
        // The insert lands, then the silo dies before storage learns it: the seal is still stored.
        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.FlushAsync((batch, ct) =>
        {
            _store.FailNextWrite();
            return WriteAsync(batch, ct);
        }, CancellationToken.None));

        var reactivated = _store.CrashAndReactivate();
        Assert.Equal(2, await FlushAsync(reactivated));

        Assert.Equal(_attempts[0].Token, _attempts[1].Token);
        Assert.Equal([7L, 8], _sink.LateEvents.Select(r => r.KafkaOffset));
        Assert.Equal(0, reactivated.Count);
    }

    [Fact]
    public async Task ARepeatedHandOver_OfEventsAlreadyWritten_IsDropped()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(1, 2));
        await FlushAsync(ledger);

        // A page grain that died before storing that it had handed these over hands them over again.
        await ledger.AddAsync(Late(2, 1));
        Assert.Equal(0, ledger.Count);
        // The memory of written positions is part of the state: a new activation drops them too.
        var reactivated = _store.CrashAndReactivate();
        await reactivated.AddAsync(Late(1));

        Assert.Equal(0, await FlushAsync(reactivated));
        Assert.Equal([1L, 2], _sink.LateEvents.Select(r => r.KafkaOffset));
    }

    [Fact]
    public async Task TheMemoryOfWrittenPositions_IsBounded()
    {
        var ledger = _store.Activate();
        await ledger.AddAsync(Late(Enumerable.Range(0, LateEventLedger.RememberedPositions + 10).Select(i => (long)i).ToArray()));
        await FlushAsync(ledger);

        Assert.Equal(LateEventLedger.RememberedPositions, _store.Stored!.Written.Count);
        Assert.Equal(10, _store.Stored.Written[0].Offset);
        // The oldest positions were forgotten: accepted again (ClickHouse is the judge beyond this window).
        await ledger.AddAsync(Late(0));
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public async Task Capacity_CountsPendingAndSealedEvents()
    {
        var ledger = _store.Activate(capacity: 3);
        await ledger.AddAsync(Late(0, 1));
        _sink.FailNext(Transient());
        await Assert.ThrowsAsync<AnalyticsSinkException>(() => FlushAsync(ledger));

        Assert.True(ledger.HasRoomFor(1));
        Assert.False(ledger.HasRoomFor(2));
    }

    [Fact]
    public void TheToken_DependsOnWhichEventsTheBatchHolds_NotOnTheirOrder()
    {
        var a = LateEventLedger.TokenOf(FlushStateStore.Topic, Late(1, 2, 3));
        var b = LateEventLedger.TokenOf(FlushStateStore.Topic, Late(3, 1, 2));

        Assert.Equal(a, b);
        Assert.NotEqual(a, LateEventLedger.TokenOf(FlushStateStore.Topic, Late(1, 2)));
        Assert.NotEqual(a, LateEventLedger.TokenOf(FlushStateStore.Topic, Late(1, 2, 3).Select(l => l with { Event = l.Event with { Partition = 1 } })));
        Assert.NotEqual(a, LateEventLedger.TokenOf("other-topic", Late(1, 2, 3)));
    }

    [Fact]
    public async Task NothingHeld_WritesNothing()
    {
        var ledger = _store.Activate();

        Assert.Equal(0, await FlushAsync(ledger));
        Assert.Empty(_attempts);
        Assert.Equal(0, _store.Writes);
    }

    private static AnalyticsSinkException Transient() => new("ClickHouse unavailable", "late_events", isTransient: true, innerException: null);

    private Task<int> FlushAsync(LateEventLedger ledger) => ledger.FlushAsync(WriteAsync, CancellationToken.None);

    private Task WriteAsync(SealedLateBatch batch, CancellationToken cancellationToken)
    {
        _attempts.Add(batch);
        return _sink.WriteLateEventsAsync(LateEventRows.Of(batch, FlushStateStore.Topic), batch.Token, cancellationToken);
    }

    private static LateEvent[] Late(params long[] offsets) => offsets.Select(offset => new LateEvent
    {
        Event = WindowTestKit.View(WindowTestKit.T0.AddSeconds(offset % 60), offset),
        Minute = WindowTestKit.T0,
        Watermark = WindowTestKit.T0.AddMinutes(2),
        DetectedAt = WindowTestKit.T0.AddMinutes(2),
    }).ToArray();
}
