using Analytics.Client;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Testing;
using Analytics.Contracts.Anomalies;
using Analytics.Dashboard;
using Analytics.IntegrationTests.Cluster;
using Analytics.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Xunit;

namespace Analytics.IntegrationTests.Client;

/// <summary>
/// One cluster for the SDK, API and browser tests: a Kafka-protocol broker, a 2-silo TestingHost cluster (the
/// real silo configuration, with an in-memory analytics sink instead of ClickHouse: these tests read live grain
/// state only), an <see cref="AnalyticsClient"/> connected through the silos' gateways, and the dashboard on an
/// ephemeral loopback port. Fed once with known traffic on pages under <see cref="Prefix"/>, plus late and
/// malformed records; tests that send more use their own page prefixes and the same session pool.
/// </summary>
public sealed class LiveQueryFixture : IAsyncLifetime
{
    public const string Prefix = "/lq/";
    public const int LateEvents = 5;
    public const int Partitions = 4;

    public KafkaBrokerProcess Kafka { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public AnalyticsClient Client { get; private set; } = null!;
    public WebApplication Dashboard { get; private set; } = null!;
    public Uri DashboardUri { get; private set; } = null!;
    public string Topic { get; } = KafkaBrokerProcess.UniqueTopicName("it-live");
    public LiveTraffic Traffic { get; private set; } = null!;
    public List<byte[]> Malformed { get; } =
    [
        TestEventProducer.Bytes("not json at all"),
        TestEventProducer.Bytes("""{"event":"page_view","user_id":"u","timestamp":"2026-01-01T00:00:00Z"}"""),
        [0xff, 0x00, 0x13],
    ];

    private readonly string _contentRoot = Directory.CreateTempSubdirectory("analytics-it-dashboard-").FullName;

    public async Task InitializeAsync()
    {
        Kafka = await KafkaBrokerProcess.StartAsync([Topic], Partitions);
        var settings = AnalyticsTestCluster.Settings(Kafka.BootstrapServers, Topic, "Host=127.0.0.1;Port=9;Username=default;Password=", "analytics");
        settings["ClickHouse:MigrateOnStartup"] = "false";
        settings["LiveQueries:ReportInterval"] = "00:00:00.250";
        settings["LiveQueries:RefreshInterval"] = "00:00:00.250";
        settings["LiveQueries:SnapshotMaxAge"] = "00:00:00.200";
        var builder = new TestClusterBuilder(2);
        // Real sockets: the SDK and the dashboard connect through the silos' gateway ports like any client.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddSiloBuilderConfigurator<InMemorySinkConfigurator>();
        builder.AddClientBuilderConfigurator<AnomalyStreamClientConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        Client = new AnalyticsClient(ClientOptions());
        await Client.ConnectAsync();

        Dashboard = DashboardApp.Build(
        [
            "--urls=http://127.0.0.1:0",
            $"--contentRoot={_contentRoot}",
            "--Logging:LogLevel:Default=Warning",
            "--Dashboard:UpdateInterval=00:00:00.500",
            .. ClientArguments(),
        ]);
        await Dashboard.StartAsync();
        DashboardUri = new Uri(Dashboard.Urls.First());

        var now = DateTime.UtcNow;
        Traffic = LiveTraffic.Create(now, 20261125,
            (Prefix + "a", 300, 40, 20),
            (Prefix + "b", 120, 7, 0),
            (Prefix + "c?x=1&y=%20", 15, 15, 0));
        var late = Enumerable.Range(0, LateEvents)
            .Select(i => TestEventProducer.Bytes(TestEventProducer.Json("page_view", Prefix + "a", $"late-{i}", $"s-{i}", now.AddMinutes(-10).AddSeconds(i))))
            .ToList();
        using var producer = new TestEventProducer(Kafka.BootstrapServers, Topic);
        await producer.ProduceAsync(Traffic.Payloads.Take(200), i => $"k-{i % 17}");
        await producer.ProduceAsync(Malformed, i => $"k-{i % 17}");
        await producer.ProduceAsync(Traffic.Payloads.Skip(200), i => $"k-{(i + 3) % 17}");
        await producer.ProduceAsync(late, i => $"k-{i % 17}");

        await Eventually.WaitAsync(async () => Matches(await Client.GetTopPagesAsync(TopPagesWindow.LastFiveMinutes, 100), Traffic),
            TimeSpan.FromSeconds(60), "the 5-minute ranking to show the fixture's traffic",
            async () => string.Join("; ", (await Client.GetTopPagesAsync(TopPagesWindow.LastFiveMinutes, 100)).Pages));
    }

    /// <summary>SDK options for this cluster (gateways of both silos).</summary>
    public AnalyticsClientOptions ClientOptions() => new()
    {
        Clustering = ClusterDiscovery.Localhost,
        GatewayPorts = Cluster.Silos.Select(s => s.GatewayAddress.Endpoint.Port).ToArray(),
        ClusterId = Cluster.Options.ClusterId,
        ServiceId = Cluster.Options.ServiceId,
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>The same, as dashboard command-line arguments.</summary>
    public IEnumerable<string> ClientArguments()
    {
        var options = ClientOptions();
        for (var i = 0; i < options.GatewayPorts.Length; i++) yield return $"--AnalyticsClient:GatewayPorts:{i}={options.GatewayPorts[i]}";
        yield return $"--AnalyticsClient:ClusterId={options.ClusterId}";
        yield return $"--AnalyticsClient:ServiceId={options.ServiceId}";
    }

    /// <summary>Sends <paramref name="payloads"/> to the fixture's topic.</summary>
    public async Task ProduceAsync(IEnumerable<byte[]> payloads)
    {
        using var producer = new TestEventProducer(Kafka.BootstrapServers, Topic);
        await producer.ProduceAsync(payloads, i => $"k-{i % 17}");
    }

    /// <summary>Publishes <paramref name="notification"/> as the anomaly publisher would: live stream and recent feed.</summary>
    public async Task PublishAnomalyAsync(AnomalyNotification notification)
    {
        await Cluster.Client.GetGrain<IAnomalyFeedGrain>(0).AppendAsync([notification]);
        await Cluster.Client.GetStreamProvider(AnomalyStreams.ProviderName)
            .GetStream<AnomalyNotification>(StreamId.Create(AnomalyStreams.Namespace, AnomalyStreams.Key))
            .OnNextAsync(notification);
    }

    /// <summary>Whether <paramref name="top"/> lists <paramref name="traffic"/>'s pages in order with exact figures.</summary>
    public static bool Matches(TopPages top, LiveTraffic traffic)
    {
        var pages = top.Pages.Where(p => traffic.ByPage.ContainsKey(p.Page)).ToList();
        return pages.Select(p => p.Page).SequenceEqual(traffic.Ranking)
            && pages.All(p => p.Views == traffic.ByPage[p.Page].Views && p.UniqueVisitors == traffic.ByPage[p.Page].Visitors);
    }

    public async Task DisposeAsync()
    {
        if (Dashboard is not null)
        {
            await Dashboard.StopAsync();
            await Dashboard.DisposeAsync();
        }
        if (Client is not null) await Client.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
        if (Kafka is not null) await Kafka.DisposeAsync();
        TempDirectory.TryDelete(_contentRoot);
    }

    /// <summary>No ClickHouse for live-query tests; and the anomaly stream provider if the silo configuration lacks it.</summary>
    public sealed class InMemorySinkConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddSingleton<IAnalyticsSink, InMemoryAnalyticsSink>();
            var hasAnomalyStreams = siloBuilder.Services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, AnomalyStreams.ProviderName));
            if (!hasAnomalyStreams) siloBuilder.AddMemoryStreams(AnomalyStreams.ProviderName);
        }
    }

    /// <summary>Lets the test's own cluster client publish anomaly notifications.</summary>
    public sealed class AnomalyStreamClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(AnomalyStreams.ProviderName);
    }
}

[CollectionDefinition(Name)]
public sealed class LiveQueryCollection : ICollectionFixture<LiveQueryFixture>
{
    public const string Name = "live queries";
}
