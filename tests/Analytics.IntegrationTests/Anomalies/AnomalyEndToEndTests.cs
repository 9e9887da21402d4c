using System.Globalization;
using System.Text.Json;
using Analytics.Contracts.Anomalies;
using Analytics.Contracts.Site;
using Analytics.Grains.Anomalies;
using Analytics.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Analytics.IntegrationTests.Anomalies;

/// <summary>
/// An injected spike, through Kafka, two silos and ClickHouse: stored once per incident in analytics.anomalies,
/// produced once per incident and kind to the anomalies topic, pushed on the Orleans stream and to a webhook
/// (after a refused first try), listed by the feed grain; and the site's current rate readable for dashboards.
/// </summary>
public sealed class AnomalyEndToEndTests(AnomalyFixture fixture, ITestOutputHelper output) : IClassFixture<AnomalyFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private string Db => fixture.Database;

    [Fact]
    public async Task TheSpike_IsStoredInClickHouse_AsOneRowPerIncident_WithItsEnd()
    {
        var rows = await fixture.Sql.QueryAsync(
            $"SELECT anomaly_id, scope, page, direction, observed_rate, baseline_mean, baseline_stddev, z_score, " +
            $"toString(detected_at) AS detected, toString(ended_at) AS ended, version FROM {Db}.anomalies FINAL " +
            $"WHERE direction = 'spike' AND ((scope = 'page' AND page = '{fixture.SpikedPage}') OR scope = 'site') ORDER BY scope");
        output.WriteLine(string.Join(Environment.NewLine, rows));
        output.WriteLine(string.Join(Environment.NewLine, fixture.Timeline));

        Assert.Equal(["page", "site"], rows.Select(r => r.GetProperty("scope").GetString()));
        var spikeStart = fixture.LoadStartedAt + AnomalyFixture.SpikeAt;
        foreach (var row in rows)
        {
            var id = row.GetProperty("anomaly_id").GetString()!;
            Assert.Equal(2UL, row.GetProperty("version").GetUInt64());
            Assert.True(row.GetProperty("z_score").GetDouble() > 3);
            Assert.True(row.GetProperty("observed_rate").GetDouble() > row.GetProperty("baseline_mean").GetDouble() * 2);
            Assert.True(row.GetProperty("baseline_stddev").GetDouble() > 0);
            var detected = Utc(row.GetProperty("detected").GetString()!);
            var ended = Utc(row.GetProperty("ended").GetString()!);
            // Detected a few seconds into the spike (event seconds complete, settle, then the partial counts' hop).
            Assert.InRange(detected - spikeStart, TimeSpan.FromSeconds(-1), TimeSpan.FromSeconds(6));
            Assert.InRange(ended - spikeStart, AnomalyFixture.SpikeFor - TimeSpan.FromSeconds(3), AnomalyFixture.SpikeFor + TimeSpan.FromSeconds(8));
            // Start and end collapsed into one logical row.
            Assert.Equal(1, await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.anomalies FINAL WHERE anomaly_id = '{id}'"));
        }

        var key = await fixture.Sql.QueryAsync($"SELECT sorting_key FROM system.tables WHERE database = '{Db}' AND name = 'anomalies'");
        Assert.Equal("anomaly_id", Assert.Single(key).GetProperty("sorting_key").GetString());
    }

    [Fact]
    public async Task EveryIncident_IsProducedToTheAnomaliesTopic_OncePerStartAndEnd()
    {
        await Eventually.WaitAsync(() => Task.FromResult(Incidents(fixture.KafkaMessages.Select(m => (m.IncidentId, m.Kind))).Count >= 2),
            Deadline, "the page and site spike, started and ended, on the Kafka topic",
            () => Task.FromResult(string.Join("; ", fixture.KafkaMessages.Select(m => m.NotificationId))));

        var messages = fixture.KafkaMessages.ToList();
        Assert.All(messages.GroupBy(m => m.NotificationId), g => Assert.Single(g));
        var page = messages.Where(m => m.Scope == "page" && m.Page == fixture.SpikedPage && m.Direction == "spike").ToList();
        Assert.Equal(["ended", "started"], page.Select(m => m.Kind).Order());
        Assert.Single(page.Select(m => m.IncidentId).Distinct());
        var ended = page.Single(m => m.Kind == "ended");
        Assert.NotNull(ended.EndedAt);
        Assert.True(ended.BaselineMean > 0); // completed from the start by the feed grain
        Assert.Contains(messages, m => m.Scope == "site" && m.Page == "" && m.Kind == "started");
    }

    [Fact]
    public async Task EveryIncident_IsPushedOnTheOrleansStream_ToClientSubscribers_Once()
    {
        await Eventually.WaitAsync(() => Task.FromResult(Incidents(fixture.StreamNotifications.Select(n => (n.IncidentId, n.Kind))).Count >= 2),
            Deadline, "the page and site spike, started and ended, on the Orleans stream",
            () => Task.FromResult(string.Join("; ", fixture.StreamNotifications.Select(AnomalyNotifications.KeyOf))));

        var notifications = fixture.StreamNotifications.ToList();
        Assert.All(notifications.GroupBy(AnomalyNotifications.KeyOf), g => Assert.Single(g));
        // The injected spike; a starved machine may add other incidents, which the per-key check above covers.
        var started = notifications.First(n => n.Scope == "page" && n.Page == fixture.SpikedPage && n.Kind == "started" && n.Direction == "spike");
        Assert.Equal("spike", started.Direction);
        Assert.True(started.ZScore > 3);
        Assert.Null(started.EndedAt);
    }

    [Fact]
    public async Task AWebhookThatRefusesTheFirstTry_GetsEveryNotificationExactlyOnce_AfterARetry()
    {
        await Eventually.WaitAsync(() => Task.FromResult(fixture.Webhook.Accepted.Count >= 4),
            Deadline, "four notifications accepted by the webhook",
            () => Task.FromResult(string.Join("; ", fixture.Webhook.Attempts.Select(a => $"{a.Key}={a.Value}"))));

        var attempts = fixture.Webhook.Attempts;
        Assert.All(fixture.Webhook.Accepted, a => Assert.Equal(1, a.Value));
        Assert.All(fixture.Webhook.Accepted, a => Assert.Equal(2, attempts[a.Key]));
        var bodies = fixture.Webhook.Bodies.Select(b => JsonDocument.Parse(b).RootElement).ToList();
        Assert.Contains(bodies, b => b.GetProperty("scope").GetString() == "page" && b.GetProperty("page").GetString() == fixture.SpikedPage);
        Assert.Contains(bodies, b => b.GetProperty("scope").GetString() == "site");
    }

    [Fact]
    public async Task TheFeedGrain_ListsTheIncidentsNewestFirst_EachOnce()
    {
        var recent = await fixture.Cluster.Client.GetGrain<IAnomalyFeedGrain>(0).GetRecentAsync(100);

        Assert.All(recent.GroupBy(AnomalyNotifications.KeyOf), g => Assert.Single(g));
        var spikes = recent.Where(n => n.Scope == "page" && n.Page == fixture.SpikedPage && n.Direction == "spike").ToList();
        var incident = spikes.Last().IncidentId; // the oldest spike incident is the injected one
        Assert.Equal(["ended", "started"], spikes.Where(n => n.IncidentId == incident).Select(n => n.Kind));
        Assert.Contains(recent, n => n.Scope == "site" && n.Kind == "ended");
    }

    [Fact]
    public async Task TheSiteGrain_ReportsTheCurrentRate_AndTheLastMinute()
    {
        var rate = await fixture.Cluster.Client.GetGrain<ISiteTrafficGrain>(0).GetCurrentRateAsync();
        output.WriteLine($"{rate.EventsPerSecond:0.0}/s over {rate.RateWindowSeconds} s, baseline {rate.BaselineMean:0.0}, z {rate.ZScore:0.00}, silos {rate.ReportingSilos}, last {rate.LastSecond:O}");

        Assert.Equal(60, rate.PerSecond.Length);
        // Wide bounds: the in-process load generator shares two cores with two silos, Kafka and ClickHouse.
        Assert.InRange(rate.EventsPerSecond, AnomalyFixture.BaseRate * 0.3, AnomalyFixture.BaseRate * 1.5);
        Assert.InRange(rate.ReportingSilos, 1, 2);
        Assert.NotNull(rate.BaselineMean);
        Assert.InRange(DateTime.UtcNow - rate.LastSecond!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
        Assert.Equal(rate.LastSecond.Value.AddSeconds(-59), rate.SeriesStart);
    }

    /// <summary>The incidents that have both a start and an end, each seen at least once.</summary>
    private HashSet<string> Incidents(IEnumerable<(string IncidentId, string Kind)> seen)
    {
        var list = seen.ToList();
        var wanted = list.Where(s => s.Kind == "ended").Select(s => s.IncidentId)
            .Where(id => list.Contains((id, "started")))
            .Where(id => id.StartsWith("site:", StringComparison.Ordinal) || id.EndsWith(":" + fixture.SpikedPage, StringComparison.Ordinal));
        return wanted.ToHashSet(StringComparer.Ordinal);
    }

    private static DateTime Utc(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc);
}
