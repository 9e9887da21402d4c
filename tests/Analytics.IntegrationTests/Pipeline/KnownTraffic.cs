using Analytics.IntegrationTests.Infrastructure;

namespace Analytics.IntegrationTests.Pipeline;

/// <summary>Traffic whose per-page, per-minute outcome is known exactly before it is sent.</summary>
public sealed class KnownTraffic
{
    public const string PagePrefix = "/it/";

    public required List<byte[]> FirstHalf { get; init; }
    public required List<byte[]> SecondHalf { get; init; }
    public required List<byte[]> Malformed { get; init; }
    public required List<byte[]> Late { get; init; }

    /// <summary>Expected rollups: (page, minute) → (views, unique visitors, events by type).</summary>
    public required Dictionary<(string Page, DateTime Minute), Expected> Rollups { get; init; }

    /// <summary>Well-formed on-time events per page: (events of any type, distinct users) for the seed query.</summary>
    public required Dictionary<string, (long Events, long Users)> OnTimeByPage { get; init; }

    /// <summary>Expected sessions: id → (page views, events).</summary>
    public required Dictionary<string, (long PageViews, long Events)> Sessions { get; init; }

    public long TotalViews => Rollups.Values.Sum(e => e.Views);
    public int WellFormedCount => FirstHalf.Count + SecondHalf.Count + Late.Count;

    public sealed record Expected(long Views, long UniqueVisitors, Dictionary<string, long> ByType);

    public static KnownTraffic Create(DateTime now)
    {
        var random = new Random(20261125);
        var onTime = new List<(string Type, string Page, string User, DateTime Time)>();
        // Page a: many views by 40 users plus clicks; b: 7 users; c: every view a different user.
        for (var i = 0; i < 300; i++) onTime.Add(("page_view", PagePrefix + "a", $"u-{i % 40}", now.AddMilliseconds(-random.Next(0, 3000))));
        for (var i = 0; i < 20; i++) onTime.Add(("click", PagePrefix + "a", $"u-{i}", now.AddMilliseconds(-random.Next(0, 3000))));
        for (var i = 0; i < 120; i++) onTime.Add(("page_view", PagePrefix + "b", $"u-{i % 7}", now.AddMilliseconds(-random.Next(0, 3000))));
        for (var i = 0; i < 15; i++) onTime.Add(("page_view", PagePrefix + "c?x=1&y=%20", $"v-{i}", now.AddMilliseconds(-random.Next(0, 3000))));

        var payloads = onTime.Select((e, i) => TestEventProducer.Bytes(TestEventProducer.Json(e.Type, e.Page, e.User, $"s-{i % 30}", e.Time))).ToList();
        var rollups = onTime.GroupBy(e => (e.Page, Minute: new DateTime(e.Time.Ticks - e.Time.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc)))
            .ToDictionary(g => g.Key, g => new Expected(
                g.Count(e => e.Type == "page_view"),
                g.Where(e => e.Type == "page_view").Select(e => e.User).Distinct().Count(),
                g.GroupBy(e => e.Type).ToDictionary(t => t.Key, t => (long)t.Count())));
        var byPage = onTime.GroupBy(e => e.Page).ToDictionary(g => g.Key, g => (Events: (long)g.Count(), Users: (long)g.Select(e => e.User).Distinct().Count()));

        var sessions = onTime.Select((e, i) => (Session: $"s-{i % 30}", e.Type))
            .Concat(Enumerable.Range(0, 5).Select(i => (Session: $"s-late-{i}", Type: "page_view")))
            .GroupBy(x => x.Session)
            .ToDictionary(g => g.Key, g => ((long)g.Count(x => x.Type == "page_view"), (long)g.Count()));

        var lateTime = now.AddMinutes(-10);
        var late = Enumerable.Range(0, 5)
            .Select(i => TestEventProducer.Bytes(TestEventProducer.Json("page_view", PagePrefix + "a", $"late-{i}", $"s-late-{i}", lateTime.AddSeconds(i))))
            .ToList();

        var malformed = new List<byte[]>
        {
            TestEventProducer.Bytes("this is not json"),
            TestEventProducer.Bytes("[1,2,3]"),
            TestEventProducer.Bytes($$"""{"event":"page_view","user_id":"u-1","timestamp":"{{now:O}}"}"""),
            TestEventProducer.Bytes($$"""{"event":"page_view","page":"","user_id":"u-1","timestamp":"{{now:O}}"}"""),
            TestEventProducer.Bytes("""{"event":"page_view","page":"/it/a","user_id":"u-1","timestamp":"yesterday"}"""),
            TestEventProducer.Bytes($$"""{"event":"page_view","page":42,"user_id":"u-1","timestamp":"{{now:O}}"}"""),
            new byte[] { 0xff, 0xfe, 0x00, 0x01 },
        };
        var half = payloads.Count / 2;
        return new KnownTraffic
        {
            FirstHalf = payloads.Take(half).ToList(),
            SecondHalf = payloads.Skip(half).ToList(),
            Malformed = malformed,
            Late = late,
            Rollups = rollups,
            OnTimeByPage = byPage,
            Sessions = sessions,
        };
    }
}
