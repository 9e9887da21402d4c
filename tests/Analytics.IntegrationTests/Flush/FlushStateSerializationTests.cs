using Analytics.Contracts.Events;
using Analytics.Contracts.Flush;
using Analytics.Grains.Flush;
using Analytics.IntegrationTests.Infrastructure;
using Xunit;

namespace Analytics.IntegrationTests.Flush;

/// <summary>
/// A flush grain's state survives the ADO.NET grain storage's JSON serializer whole: a new activation after a crash
/// retries the sealed batch with the same rows and token, keeps the pending events for the next batch, and still
/// recognises the positions it has written.
/// </summary>
public sealed class FlushStateSerializationTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task TheFlushState_RoundTripsThroughTheAdoNetJsonSerializer()
    {
        var state = new FlushGrainState();
        var ledger = new LateEventLedger(state, "events", () => Task.CompletedTask);
        await ledger.AddAsync([Late(1, 3), Late(0, 7)]);
        await ledger.FlushAsync((_, _) => Task.CompletedTask, CancellationToken.None);
        await ledger.AddAsync([Late(2, 5), Late(2, 4)]);
        // The insert of this batch fails: it stays sealed, and an event handed over afterwards stays pending.
        await Assert.ThrowsAsync<TimeoutException>(() => ledger.FlushAsync((_, _) => throw new TimeoutException(), CancellationToken.None));
        await ledger.AddAsync([Late(0, 9)]);

        var back = AdoNetStateSerializer.RoundTrip(state);

        Assert.Equal(state.Sealed!.Token, back.Sealed!.Token);
        Assert.Equal(state.Sealed.Events, back.Sealed.Events);
        Assert.Equal(state.Pending, back.Pending);
        Assert.Equal([new KafkaPosition(0, 7), new KafkaPosition(1, 3)], back.Written);

        SealedLateBatch? retried = null;
        var reactivated = new LateEventLedger(back, "events", () => Task.CompletedTask);
        await reactivated.AddAsync([Late(1, 3)]);
        Assert.Equal(3, reactivated.Count);
        Assert.Equal(2, await reactivated.FlushAsync((batch, _) => { retried = batch; return Task.CompletedTask; }, CancellationToken.None));
        Assert.Equal(state.Sealed.Token, retried!.Token);
        Assert.Equal(LateEventLedger.TokenOf("events", retried.Events), retried.Token);
    }

    private static LateEvent Late(int partition, long offset) => new()
    {
        Event = new AnalyticsEvent
        {
            EventType = EventTypes.PageView,
            Page = "/docs",
            UserId = "u1",
            SessionId = "s1",
            Timestamp = T0.AddSeconds(offset),
            Partition = partition,
            Offset = offset,
            ProducedAt = T0.AddSeconds(offset),
        },
        Minute = T0,
        Watermark = T0.AddMinutes(1),
        DetectedAt = T0.AddMinutes(1).AddSeconds(offset),
    };
}
