using Analytics.IntegrationTests.Cluster;
using Analytics.IntegrationTests.Infrastructure;
using Orleans.TestingHost;
using Xunit;

namespace Analytics.IntegrationTests.Pipeline;

/// <summary>
/// One run of the whole pipeline for the tests of <see cref="PipelineEndToEndTests"/>: a Kafka-protocol broker,
/// a ClickHouse server and a 2-silo TestingHost cluster, fed once with known traffic (good events on several
/// pages, malformed records in the middle, late events), then left without further traffic so windows must
/// become final by themselves. The tests assert on this fixture's own data only.
/// </summary>
public sealed class PipelineFixture : IAsyncLifetime
{
    public const string Database = "analytics"; // this fixture owns its ClickHouse server, so the seed query runs verbatim
    public const int Partitions = 4;

    public KafkaBrokerProcess Kafka { get; private set; } = null!;
    public ClickHouseServerProcess ClickHouse { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public ClickHouseHttp Sql { get; private set; } = null!;
    public string Topic { get; } = KafkaBrokerProcess.UniqueTopicName("it-events");
    public KnownTraffic Traffic { get; } = KnownTraffic.Create(DateTime.UtcNow);

    public async Task InitializeAsync()
    {
        Kafka = await KafkaBrokerProcess.StartAsync([Topic], Partitions);
        ClickHouse = await ClickHouseServerProcess.StartAsync();
        Sql = new ClickHouseHttp(ClickHouse.HttpUri);
        Cluster = await AnalyticsTestCluster.StartAsync(
            AnalyticsTestCluster.Settings(Kafka.BootstrapServers, Topic, ClickHouse.ConnectionString, Database));

        using var producer = new TestEventProducer(Kafka.BootstrapServers, Topic);
        await producer.ProduceAsync(Traffic.FirstHalf, i => $"k-{i % 13}");
        await producer.ProduceAsync(Traffic.Malformed, i => $"k-{i % 13}");
        await producer.ProduceAsync(Traffic.SecondHalf, i => $"k-{(i + 5) % 13}");
        await producer.ProduceAsync(Traffic.Late, i => $"k-{i % 13}");

        // No further traffic from here: the windows must become final on their own (wall-clock rule).
        await Eventually.WaitAsync(async () => await RollupViewsAsync() == Traffic.TotalViews,
            TimeSpan.FromSeconds(100), $"page_views_1m to hold all {Traffic.TotalViews} views",
            DescribeAsync);
    }

    private async Task<string> DescribeAsync()
    {
        var rollups = await Sql.QueryAsync($"SELECT page, toString(minute) AS m, views, version FROM {Database}.page_views_1m FINAL");
        var late = await Sql.QueryAsync($"SELECT page, toString(minute) AS m, count() AS n FROM {Database}.late_events GROUP BY page, m");
        var raw = await Sql.ScalarAsync($"SELECT count() FROM {Database}.page_views");
        return $"rollups: {string.Join(", ", rollups)}; late: {string.Join(", ", late)}; raw: {raw}; expected: " +
            string.Join(", ", Traffic.Rollups.Select(r => $"{r.Key.Page}@{r.Key.Minute:HH:mm}={r.Value.Views}"));
    }

    public Task<long> RollupViewsAsync() =>
        Sql.ScalarAsync($"SELECT sum(views) FROM {Database}.page_views_1m FINAL WHERE page LIKE '{KnownTraffic.PagePrefix}%'");

    public async Task DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        Sql?.Dispose();
        if (ClickHouse is not null) await ClickHouse.DisposeAsync();
        if (Kafka is not null) await Kafka.DisposeAsync();
    }
}
