using Analytics.Contracts.Pages;
using Analytics.Contracts.Sessions;
using Analytics.IntegrationTests.Infrastructure;
using Xunit;

namespace Analytics.IntegrationTests.Pipeline;

/// <summary>Kafka → our stream provider → page grains → flush grain → ClickHouse, on real protocol peers.</summary>
public sealed class PipelineEndToEndTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private const string Db = PipelineFixture.Database;

    [Fact]
    public async Task Rollups_EqualTheKnownPerPagePerMinuteCounts()
    {
        var rows = await fixture.Sql.QueryAsync(
            $"SELECT page, toString(minute) AS minute, views, unique_visitors, events_by_type FROM {Db}.page_views_1m FINAL WHERE page LIKE '{KnownTraffic.PagePrefix}%' ORDER BY page, minute");

        var actual = rows.ToDictionary(
            r => (r.GetProperty("page").GetString()!, DateTime.SpecifyKind(DateTime.Parse(r.GetProperty("minute").GetString()!, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc)),
            r => (Views: r.GetProperty("views").GetInt64(), Uniques: r.GetProperty("unique_visitors").GetInt64(),
                ByType: r.GetProperty("events_by_type").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64())));
        Assert.Equal(fixture.Traffic.Rollups.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var (key, expected) in fixture.Traffic.Rollups)
        {
            Assert.Equal(expected.Views, actual[key].Views);
            Assert.Equal(expected.UniqueVisitors, actual[key].Uniques);
            Assert.Equal(expected.ByType.OrderBy(p => p.Key), actual[key].ByType.OrderBy(p => p.Key));
        }
        // One logical row per page and minute, even before FINAL collapses versions.
        var physical = await fixture.Sql.ScalarAsync($"SELECT count() FROM (SELECT page, minute FROM {Db}.page_views_1m FINAL WHERE page LIKE '{KnownTraffic.PagePrefix}%')");
        Assert.Equal(fixture.Traffic.Rollups.Count, physical);
    }

    [Fact]
    public async Task RawArchive_HoldsEveryWellFormedEventExactlyOnce_AndTheSeedQueryRunsVerbatim()
    {
        await Eventually.WaitAsync(async () => await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.page_views") == fixture.Traffic.WellFormedCount,
            TimeSpan.FromSeconds(30), "page_views to hold every well-formed event");
        var distinctPositions = await fixture.Sql.ScalarAsync($"SELECT uniqExact(kafka_partition, kafka_offset) FROM {Db}.page_views");
        Assert.Equal(fixture.Traffic.WellFormedCount, distinctPositions);

        var seed = await fixture.Sql.QueryAsync(
            "SELECT page, count() AS views, uniqExact(user_id) AS unique_visitors FROM analytics.page_views WHERE timestamp >= now() - INTERVAL 5 MINUTE GROUP BY page ORDER BY views DESC LIMIT 10");
        var byPage = seed.ToDictionary(r => r.GetProperty("page").GetString()!, r => (r.GetProperty("views").GetInt64(), r.GetProperty("unique_visitors").GetInt64()));
        Assert.Equal(fixture.Traffic.OnTimeByPage.OrderBy(p => p.Key), byPage.OrderBy(p => p.Key));
    }

    [Fact]
    public async Task MalformedRecords_AreDeadLetteredWithRawBytesAndReason_WithoutStoppingThePartition()
    {
        await Eventually.WaitAsync(async () => await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.dead_letters") == fixture.Traffic.Malformed.Count,
            TimeSpan.FromSeconds(30), "every malformed record in dead_letters");
        var rows = await fixture.Sql.QueryAsync($"SELECT hex(raw) AS raw, reason, kafka_topic, kafka_partition, kafka_offset FROM {Db}.dead_letters");
        var expectedRaw = fixture.Traffic.Malformed.Select(Convert.ToHexString).OrderBy(h => h);
        Assert.Equal(expectedRaw, rows.Select(r => r.GetProperty("raw").GetString()!).OrderBy(h => h));
        Assert.All(rows, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.GetProperty("reason").GetString()));
            Assert.Equal(fixture.Topic, r.GetProperty("kafka_topic").GetString());
        });
        Assert.Contains(rows, r => r.GetProperty("reason").GetString()!.Contains("page", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.GetProperty("reason").GetString()!.Contains("timestamp", StringComparison.Ordinal));
        // Events produced after the malformed ones were processed: the rollups hold them (fixture waited for all views).
        Assert.Equal(fixture.Traffic.TotalViews, await fixture.RollupViewsAsync());
    }

    [Fact]
    public async Task LateEvents_LandInLateEvents_AreArchived_AndStayOutOfRollups()
    {
        await Eventually.WaitAsync(async () => await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.late_events") == fixture.Traffic.Late.Count,
            TimeSpan.FromSeconds(30), "every late event in late_events");
        var lateMinutes = await fixture.Sql.ScalarAsync(
            $"SELECT count() FROM {Db}.page_views_1m FINAL WHERE page LIKE '{KnownTraffic.PagePrefix}%' AND minute < now() - INTERVAL 5 MINUTE");
        Assert.Equal(0, lateMinutes);
        var archivedLate = await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.page_views WHERE user_id LIKE 'late-%'");
        Assert.Equal(fixture.Traffic.Late.Count, archivedLate);
    }

    [Fact]
    public async Task Sessions_HaveOneRowEach_WithTheirCounts_AndPerMinuteMetrics()
    {
        var expected = fixture.Traffic.Sessions;
        await Eventually.WaitAsync(async () => await fixture.Sql.ScalarAsync($"SELECT count() FROM {Db}.sessions FINAL") == expected.Count,
            TimeSpan.FromSeconds(30), $"{expected.Count} sessions in analytics.sessions");
        var rows = await fixture.Sql.QueryAsync($"SELECT session_id, page_count, event_count, is_bounce, entry_page FROM {Db}.sessions FINAL");
        var actual = rows.ToDictionary(r => r.GetProperty("session_id").GetString()!,
            r => (r.GetProperty("page_count").GetInt64(), r.GetProperty("event_count").GetInt64()));
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
        Assert.All(rows.Where(r => r.GetProperty("session_id").GetString()!.StartsWith("s-late-", StringComparison.Ordinal)),
            r => Assert.Equal(1, r.GetProperty("is_bounce").GetInt32()));

        var live = await fixture.Cluster.Client.GetGrain<ISessionGrain>("s-0").GetAsync();
        Assert.NotNull(live);
        Assert.Equal(expected["s-0"], (live.PageViews, live.Events));
        Assert.False(live.IsClosed);

        await Eventually.WaitAsync(async () => await fixture.Sql.ScalarAsync($"SELECT sum(new_sessions) FROM {Db}.sessions_1m FINAL") == expected.Count,
            TimeSpan.FromSeconds(30), "sessions_1m to count every new session");
    }

    [Fact]
    public async Task LiveGrainState_ShowsTheFinalWindows_WithoutFurtherTraffic()
    {
        foreach (var page in fixture.Traffic.Rollups.Keys.Select(k => k.Page).Distinct())
        {
            var live = await fixture.Cluster.Client.GetGrain<IPageGrain>(page).GetLiveStateAsync();
            var expected = fixture.Traffic.Rollups.Where(r => r.Key.Page == page).ToDictionary(r => r.Key.Minute, r => r.Value);
            Assert.Empty(live.OpenWindows);
            foreach (var (minute, e) in expected)
            {
                var window = Assert.Single(live.RecentWindows, w => w.Minute == minute);
                Assert.True(window.IsFinal);
                Assert.Equal(e.Views, window.Views);
                Assert.Equal(e.UniqueVisitors, window.UniqueVisitors);
            }
        }
    }
}
