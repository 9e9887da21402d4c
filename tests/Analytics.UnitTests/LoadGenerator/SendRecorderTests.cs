using Analytics.LoadGenerator;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class SendRecorderTests
{
    private static readonly DateTime TenOClock = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    private static long _sequence;

    private static GeneratedEvent Event(
        EventCategory category,
        string? page,
        int user,
        DateTime timestamp,
        string? type = "page_view",
        MalformedKind? malformed = null) => new()
        {
            Sequence = Interlocked.Increment(ref _sequence),
            Category = category,
            EventType = category == EventCategory.Malformed ? null : type,
            Malformed = malformed,
            Page = page,
            UserIndex = user,
            SessionId = "s-1",
            Key = [],
            Payload = [],
            Timestamp = timestamp,
        };

    [Fact]
    public void DeliveredEvents_AreAggregatedExactlyPerPageAndMinute()
    {
        var recorder = new SendRecorder();
        GeneratedEvent[] delivered =
        [
            Event(EventCategory.PageView, "/a", 1, TenOClock),
            Event(EventCategory.PageView, "/a", 1, TenOClock.AddSeconds(30)),
            Event(EventCategory.PageView, "/a", 2, TenOClock.AddMilliseconds(59_999)),
            Event(EventCategory.PageView, "/a", 2, TenOClock.AddMinutes(1)),
            Event(EventCategory.PageView, "/b", 1, TenOClock.AddSeconds(5)),
            Event(EventCategory.OtherEvent, "/a", 3, TenOClock, type: "click"),
            Event(EventCategory.OtherEvent, "/b", 3, TenOClock, type: "scroll"),
            Event(EventCategory.Late, "/a", 4, TenOClock.AddSeconds(-90)),
            Event(EventCategory.Late, "/a", 5, TenOClock.AddSeconds(-89)),
            Event(EventCategory.Late, "/b", 5, TenOClock.AddSeconds(-89), type: "click"),
            Event(EventCategory.Malformed, null, 6, TenOClock, malformed: MalformedKind.NotJson),
            Event(EventCategory.Malformed, null, 6, TenOClock, malformed: MalformedKind.Oversized),
            Event(EventCategory.Malformed, null, 6, TenOClock, malformed: MalformedKind.Oversized),
        ];
        foreach (var e in delivered)
        {
            recorder.RecordSent();
            recorder.RecordDelivered(e);
        }

        // Failed ones are counted as failed and nowhere else.
        recorder.RecordSent();
        recorder.RecordFailed(Event(EventCategory.PageView, "/a", 9, TenOClock), "Local_MsgTimedOut");
        recorder.RecordSent();

        var record = recorder.ToRecord("run", "topic", 1, 100, TenOClock, TenOClock.AddMinutes(2), 120);

        Assert.Equal(
            new SendTotals
            {
                Sent = 15,
                Delivered = 13,
                Failed = 1,
                Unconfirmed = 1,
                PageViewsOnTime = 5,
                Late = 3,
                Malformed = 3,
                OtherEvents = 2,
            },
            record.Totals);
        Assert.Equal(
            [
                new PageMinuteCount("/a", TenOClock, 3, 2),
                new PageMinuteCount("/b", TenOClock, 1, 1),
                new PageMinuteCount("/a", TenOClock.AddMinutes(1), 1, 1),
            ],
            record.PageMinutes);
        Assert.Equal([new LatePageMinuteCount("/a", TenOClock.AddMinutes(-2), 2)], record.LatePageMinutes);
        Assert.Equal(new Dictionary<string, long> { ["click"] = 2, ["page_view"] = 7, ["scroll"] = 1 }, record.EventsByType);
        Assert.Equal(new Dictionary<string, long> { ["not_json"] = 1, ["oversized"] = 2 }, record.MalformedByKind);
        Assert.Equal(new Dictionary<string, long> { ["Local_MsgTimedOut"] = 1 }, record.FailuresByReason);
        Assert.Equal(1, recorder.InFlight);
    }

    [Fact]
    public void Record_RoundTripsThroughJson_InSnakeCase()
    {
        var recorder = new SendRecorder();
        recorder.RecordSent();
        recorder.RecordDelivered(Event(EventCategory.PageView, "/a", 1, TenOClock.AddSeconds(1)));
        var record = recorder.ToRecord("run-7", "analytics-events", 42, 1000, TenOClock, TenOClock.AddSeconds(2), 1.5);

        var json = record.ToJson();
        var back = SendRecord.FromJson(json);

        Assert.Contains("\"run_id\": \"run-7\"", json, StringComparison.Ordinal);
        Assert.Contains("\"page_views_on_time\": 1", json, StringComparison.Ordinal);
        Assert.Contains("\"minute\": \"2026-06-22T10:00:00Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"unique_visitors\": 1", json, StringComparison.Ordinal);
        Assert.Equal(json, back.ToJson());
        Assert.Equal(record.Totals, back.Totals);
        Assert.Equal(record.PageMinutes, back.PageMinutes);
        Assert.Equal(DateTimeKind.Utc, back.PageMinutes[0].Minute.Kind);
    }

    [Fact]
    public void UniqueVisitors_StayExact_WhenManyUsersVisitOnePage()
    {
        var recorder = new SendRecorder();
        var expected = new HashSet<int>();
        var random = new Random(5);

        // Sparse first, then dense enough for the compact representation, with repeats and a far-out user number.
        for (var i = 0; i < 50_000; i++)
        {
            var user = i < 100 ? random.Next(1, 1_000_000) : random.Next(1, 8_000);
            expected.Add(user);
            recorder.RecordDelivered(Event(EventCategory.PageView, "/a", user, TenOClock));
        }

        recorder.RecordDelivered(Event(EventCategory.PageView, "/a", 2_000_000, TenOClock));
        expected.Add(2_000_000);

        var row = Assert.Single(recorder.ToRecord("r", "t", 0, 0, TenOClock, TenOClock, 0).PageMinutes);
        Assert.Equal(50_001, row.Views);
        Assert.Equal(expected.Count, row.UniqueVisitors);
    }

    [Fact]
    public async Task ConcurrentDeliveries_AreAllCounted()
    {
        var recorder = new SendRecorder();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                recorder.RecordSent();
                recorder.RecordDelivered(Event(EventCategory.PageView, "/p" + (i % 3), (t * 10_000) + i, TenOClock));
            }
        })));

        var record = recorder.ToRecord("r", "t", 0, 0, TenOClock, TenOClock, 0);
        Assert.Equal(40_000, record.Totals.Delivered);
        Assert.Equal(40_000, record.PageMinutes.Sum(p => p.Views));
        Assert.Equal(40_000, record.PageMinutes.Sum(p => p.UniqueVisitors));
    }
}
