using Analytics.IntegrationTests.Infrastructure;

namespace Analytics.IntegrationTests.Client;

/// <summary>
/// Traffic whose live figures are known before it is sent: per page, views, distinct visitors and events, all
/// with timestamps in the current minute (so every figure is a single-minute one). Sessions come from one pool
/// of <see cref="SessionPool"/> ids, so the site's active-session count stays known whatever else is sent.
/// </summary>
public sealed class LiveTraffic
{
    public const int SessionPool = 30;

    public required List<byte[]> Payloads { get; init; }

    /// <summary>Page → (views, distinct visitors, events of any type).</summary>
    public required Dictionary<string, (long Views, long Visitors, long Events)> ByPage { get; init; }

    /// <summary>Session id → (page views, events).</summary>
    public required Dictionary<string, (long Views, long Events)> BySession { get; init; }

    /// <summary>Pages by views descending, then by path: the order a ranking must show them in.</summary>
    public List<string> Ranking => ByPage.OrderByDescending(p => p.Value.Views).ThenBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key).ToList();

    /// <summary>Builds the traffic: for each page, <c>Views</c> page views spread over <c>Users</c> visitors, plus <c>Clicks</c> click events.</summary>
    public static LiveTraffic Create(DateTime now, int seed, params (string Page, int Views, int Users, int Clicks)[] pages)
    {
        var random = new Random(seed);
        var minute = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var events = new List<(string Type, string Page, string User, string Session, DateTime Time)>();
        var n = 0;
        foreach (var (page, views, users, clicks) in pages)
        {
            for (var i = 0; i < views; i++) events.Add(("page_view", page, $"{page}#u{i % users}", $"s-{n++ % SessionPool}", Stamp()));
            for (var i = 0; i < clicks; i++) events.Add(("click", page, $"{page}#u{i % users}", $"s-{n++ % SessionPool}", Stamp()));
        }
        events = [.. events.OrderBy(_ => random.Next())];
        return new LiveTraffic
        {
            Payloads = events.Select(e => TestEventProducer.Bytes(TestEventProducer.Json(e.Type, e.Page, e.User, e.Session, e.Time))).ToList(),
            ByPage = events.GroupBy(e => e.Page).ToDictionary(g => g.Key, g => (
                (long)g.Count(e => e.Type == "page_view"),
                (long)g.Where(e => e.Type == "page_view").Select(e => e.User).Distinct().Count(),
                (long)g.Count())),
            BySession = events.GroupBy(e => e.Session).ToDictionary(g => g.Key, g => ((long)g.Count(e => e.Type == "page_view"), (long)g.Count())),
        };

        // Up to 2 s back, never before the current minute: every event lands in one minute window.
        DateTime Stamp()
        {
            var time = now.AddMilliseconds(-random.Next(0, 2000));
            return time < minute ? minute : time;
        }
    }
}
