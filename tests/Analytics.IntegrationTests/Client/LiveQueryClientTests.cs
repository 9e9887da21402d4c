using Analytics.Client;
using Analytics.Contracts.Anomalies;
using Analytics.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.IntegrationTests.Client;

/// <summary>The SDK against a 2-silo cluster: its answers equal what was sent.</summary>
[Collection(LiveQueryCollection.Name)]
public sealed class LiveQueryClientTests(LiveQueryFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TopPages_OverFiveMinutes_EqualWhatWasSent_ExactlyAndInOrder()
    {
        var top = await fixture.Client.GetTopPagesAsync(TopPagesWindow.LastFiveMinutes, 100);

        var ours = top.Pages.Where(p => p.Page.StartsWith(LiveQueryFixture.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(fixture.Traffic.Ranking, ours.Select(p => p.Page));
        Assert.All(ours, p =>
        {
            Assert.Equal(fixture.Traffic.ByPage[p.Page].Views, p.Views);
            Assert.Equal(fixture.Traffic.ByPage[p.Page].Visitors, p.UniqueVisitors);
            Assert.True(p.ViewsExact && p.UniqueVisitorsExact, $"{p.Page} should be exact: {p}");
        });
        Assert.Equal(TopPagesWindow.LastFiveMinutes, top.Window);
        Assert.Equal(top.AsOf.AddTicks(-(top.AsOf.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(-4), top.From);
    }

    [Fact]
    public async Task TopPages_OverTheLastMinute_EqualFreshTraffic_AndTheLimitCutsTheList()
    {
        // The 1-minute window restarts at every whole minute: send early enough in a minute to read it in the same one.
        if (DateTime.UtcNow.Second >= 45) await Task.Delay(TimeSpan.FromSeconds(61 - DateTime.UtcNow.Second));
        var prefix = $"/m1-{Guid.NewGuid():N}"[..12] + "/";
        var sentAt = DateTime.UtcNow;
        var traffic = LiveTraffic.Create(sentAt, 7, (prefix + "hot", 500, 10, 5), (prefix + "warm", 450, 450, 0));
        await fixture.ProduceAsync(traffic.Payloads);

        await Eventually.WaitAsync(async () => LiveQueryFixture.Matches(await fixture.Client.GetTopPagesAsync(TopPagesWindow.LastMinute, 100), traffic),
            Deadline, "the 1-minute ranking to show the fresh traffic");
        var top2 = await fixture.Client.GetTopPagesAsync(TopPagesWindow.LastMinute, 2);
        Assert.Equal([prefix + "hot", prefix + "warm"], top2.Pages.Select(p => p.Page));
        Assert.Equal(450, top2.Pages[1].UniqueVisitors);
        Assert.False(top2.IsApproximate);

        // The site's rate shows them too. (Not all of them: the site rate is by event time, and an event stamped up
        // to 2 s back may reach the site traffic grain after it has closed that second.)
        await Eventually.WaitAsync(async () => (await fixture.Client.GetOverviewAsync()).EventsPerSecondSeries.Where(p => p.Second >= sentAt.AddSeconds(-3)).Sum(p => p.Events) > 0,
            Deadline, "the events-per-second series to show the fresh traffic");
    }

    [Fact]
    public async Task TopPages_OverSixtyMinutes_AreMarkedApproximate_AndMatchSmallTrafficExactly()
    {
        var top = await fixture.Client.GetTopPagesAsync(TopPagesWindow.LastHour, 100);

        Assert.True(top.IsApproximate);
        var ours = top.Pages.Where(p => p.Page.StartsWith(LiveQueryFixture.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(fixture.Traffic.Ranking, ours.Select(p => p.Page));
        Assert.All(ours, p =>
        {
            Assert.True(p.IsApproximate);
            // Pre-aggregated views leave late events out like the rollups; sketches of so few visitors are exact.
            Assert.Equal(fixture.Traffic.ByPage[p.Page].Views, p.Views);
            Assert.Equal(fixture.Traffic.ByPage[p.Page].Visitors, p.UniqueVisitors);
        });
    }

    [Fact]
    public async Task PageStats_EqualWhatWasSent_WithTheMinuteSeriesAndLateCount()
    {
        foreach (var (page, expected) in fixture.Traffic.ByPage)
        {
            var stats = await fixture.Client.GetPageStatsAsync(page);

            Assert.Equal(page, stats.Page);
            Assert.Equal(expected.Views, stats.LastFiveMinutes.Views);
            Assert.Equal(expected.Visitors, stats.LastFiveMinutes.UniqueVisitors);
            Assert.True(stats.LastFiveMinutes.UniqueVisitorsExact);
            var minute = Assert.Single(stats.Minutes, m => m.Views > 0);
            Assert.Equal(expected.Views, minute.Views);
            Assert.Equal(expected.Visitors, minute.UniqueVisitors);
            Assert.Equal(expected.Events, minute.Events);
            Assert.Equal(page == LiveQueryFixture.Prefix + "a" ? LiveQueryFixture.LateEvents : 0, stats.LateEvents);
        }
        Assert.Empty((await fixture.Client.GetPageStatsAsync("/never-seen")).Minutes);
    }

    [Fact]
    public async Task Overview_CountsLateAndDeadLetteredEvents_SessionsAndSilos()
    {
        await Eventually.WaitAsync(async () =>
        {
            var o = await fixture.Client.GetOverviewAsync();
            return o.LateEvents == LiveQueryFixture.LateEvents && o.DeadLetteredEvents == fixture.Malformed.Count && o.Silos == 2;
        }, Deadline, "late, dead-lettered and silo counts", async () => (await fixture.Client.GetOverviewAsync()).ToString());

        var overview = await fixture.Client.GetOverviewAsync();
        Assert.Equal(LiveTraffic.SessionPool, overview.ActiveSessions);
        Assert.Equal(TimeSpan.FromMinutes(30), overview.ActiveSessionWindow);
        Assert.NotEmpty(overview.EventsPerSecondSeries);
        Assert.True(overview.EventsPerSecond >= 0);
    }

    [Fact]
    public async Task Session_IsReadById_AndAnUnknownOneIsNull()
    {
        var (id, expected) = fixture.Traffic.BySession.OrderBy(s => s.Key, StringComparer.Ordinal).First(s => s.Key != "s-0");
        await Eventually.WaitAsync(async () => (await fixture.Client.GetSessionAsync(id))?.Events >= expected.Events, Deadline, $"session {id}");

        var session = await fixture.Client.GetSessionAsync(id);
        Assert.NotNull(session);
        Assert.Equal(id, session.SessionId);
        Assert.StartsWith(LiveQueryFixture.Prefix, session.EntryPage, StringComparison.Ordinal);
        Assert.Null(await fixture.Client.GetSessionAsync("no-such-session-" + Guid.NewGuid()));
    }

    [Fact]
    public async Task Anomalies_ArriveLive_AndAreListedAmongTheRecentOnes()
    {
        using var cts = new CancellationTokenSource(Deadline);
        await using var live = fixture.Client.SubscribeToAnomaliesAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var next = live.MoveNextAsync().AsTask();
        var sent = new List<AnomalyNotification>();
        try
        {
            // The subscription is made inside the first MoveNextAsync: publish until one arrives.
            while (!next.IsCompleted)
            {
                var notification = Notification($"it-{Guid.NewGuid():N}");
                sent.Add(notification);
                await fixture.PublishAnomalyAsync(notification);
                await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(300), cts.Token));
            }
            Assert.True(await next);
        }
        finally
        {
            // An enumerator cannot be disposed while a MoveNextAsync is pending: end it first.
            if (!next.IsCompleted)
            {
                await cts.CancelAsync();
                await Task.WhenAny(next);
            }
        }
        var received = live.Current;
        var original = Assert.Single(sent, s => s.IncidentId == received.IncidentId);
        Assert.Equal(("started", "page", "/lq/a", "spike"), (received.Kind, received.Scope, received.Page, received.Direction));
        Assert.Equal(original.ZScore, received.ZScore);
        Assert.Equal(original.StartedAt, received.StartedAt);

        var recent = await fixture.Client.GetRecentAnomaliesAsync(50);
        Assert.Contains(recent, a => a.IncidentId == sent[^1].IncidentId);
    }

    [Fact]
    public async Task InvalidArguments_AreRejectedBeforeAnyCall()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.GetTopPagesAsync(TopPagesWindow.LastMinute, 0));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.GetTopPagesAsync(TopPagesWindow.LastMinute, AnalyticsClient.MaxTopPagesLimit + 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.GetTopPagesAsync((TopPagesWindow)7));
        await Assert.ThrowsAsync<ArgumentException>(() => fixture.Client.GetPageStatsAsync(""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => fixture.Client.GetRecentAnomaliesAsync(0));
        var invalid = Assert.Throws<OptionsValidationException>(() => new AnalyticsClient(new AnalyticsClientOptions { Clustering = ClusterDiscovery.AdoNet }));
        Assert.Contains("AnalyticsClient:ConnectionString", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectingToNoCluster_FailsWithAClearErrorWithinTheTimeout()
    {
        var port = LoopbackPorts.Free();
        await using var client = new AnalyticsClient(new AnalyticsClientOptions { GatewayPorts = [port], ConnectTimeout = TimeSpan.FromSeconds(2) });
        var error = await Assert.ThrowsAsync<AnalyticsClientException>(() => client.GetOverviewAsync());
        Assert.Contains($"localhost gateways {port}", error.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    internal static AnomalyNotification Notification(string incidentId) => new()
    {
        IncidentId = incidentId,
        Kind = "started",
        Scope = "page",
        Page = "/lq/a",
        Direction = "spike",
        StartedAt = DateTime.UtcNow.AddSeconds(-3).AddTicks(-(DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond)),
        DetectedAt = DateTime.UtcNow,
        ObservedRate = 120,
        BaselineMean = 10,
        BaselineStdDev = 2.5,
        ZScore = 44,
    };
}
