using System.Text;
using System.Text.Json;
using Analytics.LoadGenerator;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class TrafficModelTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 22, 10, 0, 0, TimeSpan.Zero);

    private static TrafficModel Model(LoadGeneratorOptions options, int seed = 11, FakeTimeProvider? clock = null) =>
        new(options, "run-a", clock ?? new FakeTimeProvider(Start), new Random(seed));

    [Fact]
    public void SameSeedAndClock_GiveTheSameBytes()
    {
        var options = new LoadGeneratorOptions { LateShare = 0.1, MalformedShare = 0.1 };
        var first = Model(options, seed: 5, new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(3) });
        var second = Model(options, seed: 5, new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(3) });

        for (var i = 0; i < 5_000; i++)
        {
            var a = first.Next();
            var b = second.Next();
            Assert.Equal(a.Payload, b.Payload);
            Assert.Equal(a.Key, b.Key);
            Assert.Equal(a.Category, b.Category);
        }
    }

    [Fact]
    public void Payloads_AgreeWithWhatTheEventSaysItIs()
    {
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(7) };
        var model = Model(new LoadGeneratorOptions { LateShare = 0.05, PagePrefix = "/t-9" }, clock: clock);

        for (var i = 0; i < 5_000; i++)
        {
            var e = model.Next();
            Assert.Equal(i + 1, e.Sequence);
            Assert.Equal(e.SessionId, Encoding.UTF8.GetString(e.Key));
            using var json = JsonDocument.Parse(e.Payload);
            var root = json.RootElement;
            Assert.Equal(e.EventType, root.GetProperty("event").GetString());
            Assert.Equal(e.Page, root.GetProperty("page").GetString());
            Assert.StartsWith("/t-9/", e.Page, StringComparison.Ordinal);
            Assert.Equal(e.UserId, root.GetProperty("user_id").GetString());
            Assert.Equal(e.SessionId, root.GetProperty("session_id").GetString());
            Assert.Equal(EventFactory.FormatTimestamp(e.Timestamp), root.GetProperty("timestamp").GetString());
            Assert.Equal("run-a", root.GetProperty("run_id").GetString());
            Assert.Equal(e.Category == EventCategory.PageView, e.EventType == "page_view" && e.Category != EventCategory.Late);
        }
    }

    [Fact]
    public void Sessions_AreBoundToOneUser_StartWithAPageView_AndStayWithinThePool()
    {
        const int Pool = 50;
        var model = Model(new LoadGeneratorOptions { Sessions = Pool, Users = 1_000, EventMix = 0.3 });
        var userOf = new Dictionary<string, string>();
        var firstAndLast = new Dictionary<string, (int First, int Last)>();
        var events = Enumerable.Range(0, 20_000).Select(_ => model.Next()).ToList();

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            Assert.StartsWith("s-run-a-", e.SessionId, StringComparison.Ordinal);
            if (userOf.TryAdd(e.SessionId, e.UserId))
            {
                Assert.Equal("page_view", e.EventType);
                firstAndLast[e.SessionId] = (i, i);
            }
            else
            {
                Assert.Equal(userOf[e.SessionId], e.UserId);
                firstAndLast[e.SessionId] = (firstAndLast[e.SessionId].First, i);
            }

            Assert.InRange(e.UserIndex, 1, 1_000);
        }

        // Sessions end and are replaced: many more sessions than slots, never more than the pool open at once.
        Assert.True(userOf.Count > Pool * 10, $"only {userOf.Count} sessions");
        var open = new int[events.Count + 1];
        foreach (var (first, last) in firstAndLast.Values)
        {
            open[first]++;
            open[last + 1]--;
        }

        var running = 0;
        var maxOpen = 0;
        foreach (var delta in open)
        {
            running += delta;
            maxOpen = Math.Max(maxOpen, running);
        }

        Assert.True(maxOpen <= Pool, $"{maxOpen} sessions open at once");
    }

    [Fact]
    public void Shares_OfLateMalformedAndOtherEvents_MatchTheOptions()
    {
        const int Count = 100_000;
        var model = Model(new LoadGeneratorOptions { LateShare = 0.05, MalformedShare = 0.02, EventMix = 0.1 });

        var events = Enumerable.Range(0, Count).Select(_ => model.Next()).ToList();

        var late = events.Skip(TrafficModel.LateWarmupEvents).Count(e => e.Category == EventCategory.Late);
        var malformed = events.Count(e => e.Category == EventCategory.Malformed);
        var wellFormed = events.Where(e => e.Category != EventCategory.Malformed).ToList();
        var other = wellFormed.Count(e => e.EventType != "page_view");
        Assert.InRange(late / (double)(Count - TrafficModel.LateWarmupEvents), 0.045, 0.055);
        Assert.InRange(malformed / (double)Count, 0.017, 0.023);
        Assert.InRange(other / (double)wellFormed.Count, 0.09, 0.11);
        Assert.All(
            Enum.GetValues<MalformedKind>(),
            kind => Assert.Contains(events, e => e.Malformed == kind));
    }

    [Fact]
    public void LateEvents_AreStampedLateByInThePast_OthersNow()
    {
        var clock = new FakeTimeProvider(Start.AddMilliseconds(123.9));
        var model = Model(new LoadGeneratorOptions { LateShare = 0.3, LateBy = TimeSpan.FromSeconds(90) }, clock: clock);
        var now = new DateTime(2026, 6, 22, 10, 0, 0, 123, DateTimeKind.Utc);

        var events = Enumerable.Range(0, 3_000).Select(_ => model.Next()).ToList();

        Assert.All(events.Where(e => e.Category == EventCategory.Late), e => Assert.Equal(now.AddSeconds(-90), e.Timestamp));
        Assert.All(events.Where(e => e.Category != EventCategory.Late), e => Assert.Equal(now, e.Timestamp));
        Assert.Contains(events, e => e.Category == EventCategory.Late);
    }

    [Fact]
    public void NoLateEvents_UntilTheWarmUpIsOver()
    {
        var model = Model(new LoadGeneratorOptions { LateShare = 0.5 });

        var events = Enumerable.Range(0, TrafficModel.LateWarmupEvents + 100).Select(_ => model.Next()).ToList();

        Assert.DoesNotContain(events.Take(TrafficModel.LateWarmupEvents), e => e.Category == EventCategory.Late);
        Assert.Contains(events.Skip(TrafficModel.LateWarmupEvents), e => e.Category == EventCategory.Late);
    }

    [Fact]
    public void PageViews_FollowTheZipfLaw()
    {
        const int Count = 200_000;
        var model = Model(new LoadGeneratorOptions { Pages = 100, EventMix = 0 });

        var views = Enumerable.Range(0, Count).Select(_ => model.Next()).GroupBy(e => e.Page!).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal(model.Pages[0], views.MaxBy(v => v.Value).Key);
        for (var rank = 0; rank < 10; rank++)
        {
            var expected = model.Zipf.Probability(rank) * Count;
            Assert.InRange(views[model.Pages[rank]], expected * 0.95, expected * 1.05);
        }
    }

    [Fact]
    public void PageSpike_MultipliesThatPagesTraffic_AndRaisesTheRateByItsShare()
    {
        const int Count = 200_000;
        var model = Model(new LoadGeneratorOptions { Pages = 50, EventMix = 0 });
        var p = model.Zipf.Probability(2);

        var rateFactor = model.ApplyAdjustment(new TrafficAdjustment(1.0, new Dictionary<int, double> { [2] = 5 }));
        var share = Enumerable.Range(0, Count).Count(_ => model.Next().Page == model.Pages[2]) / (double)Count;

        Assert.Equal(1 + (4 * p), rateFactor, 12);
        var expected = 5 * p / rateFactor;
        Assert.InRange(share, expected * 0.97, expected * 1.03);
    }

    [Fact]
    public void PageDrop_AndSiteFactor_Combine()
    {
        const int Count = 200_000;
        var model = Model(new LoadGeneratorOptions { Pages = 50, EventMix = 0 });
        var p = model.Zipf.Probability(0);

        var rateFactor = model.ApplyAdjustment(new TrafficAdjustment(2.0, new Dictionary<int, double> { [0] = 0.1 }));
        var share = Enumerable.Range(0, Count).Count(_ => model.Next().Page == model.Pages[0]) / (double)Count;

        Assert.Equal(2.0 * (1 - (0.9 * p)), rateFactor, 12);
        var expected = 0.1 * p / (1 - (0.9 * p));
        Assert.InRange(share, expected * 0.95, expected * 1.05);

        // Back to normal.
        Assert.Equal(1.0, model.ApplyAdjustment(TrafficAdjustment.None));
    }

    [Fact]
    public void PageNames_DependOnlyOnIndexAndPrefix()
    {
        var catalog = new PageCatalog(300, "/b-1");

        Assert.Equal("/b-1/", catalog[0]);
        Assert.Equal("/b-1/pricing", catalog[1]);
        Assert.Equal(300, Enumerable.Range(0, 300).Select(i => catalog[i]).Distinct().Count());
        Assert.Equal(new PageCatalog(300, "/b-1")[299], catalog[299]);
        Assert.Equal(42, catalog.IndexOf(catalog[42]));
        Assert.Equal(-1, catalog.IndexOf("/nope"));
    }
}
