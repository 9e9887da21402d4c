using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Analytics.Contracts.Anomalies;
using Analytics.Grains.Anomalies;
using Analytics.IntegrationTests.Cluster;
using Analytics.IntegrationTests.Infrastructure;
using Analytics.LoadGenerator;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Orleans.Streams;
using Orleans.TestingHost;
using Xunit;

namespace Analytics.IntegrationTests.Anomalies;

/// <summary>
/// One run of anomaly detection and publishing end to end, for <see cref="AnomalyEndToEndTests"/>: a Kafka-protocol
/// broker, a ClickHouse server, a 2-silo TestingHost cluster with test-sized detection settings (20 s warm-up,
/// 1-minute window) and a webhook receiver that refuses every first delivery. The load generator runs in-process
/// at <see cref="BaseRate"/> events/s over five pages and multiplies the most popular page's traffic by
/// <see cref="SpikeFactor"/> from <see cref="SpikeAt"/> for <see cref="SpikeFor"/>, which is a page spike and, as
/// that page carries nearly half the traffic, a site-wide spike too. Traffic keeps flowing until the fixture is
/// disposed, so that no drop is raised while the tests look. Ready once ClickHouse shows both incidents ended.
/// </summary>
public sealed class AnomalyFixture : IAsyncLifetime
{
    public const int Partitions = 4;
    public const double BaseRate = 300;
    public const double SpikeFactor = 4;
    public static readonly TimeSpan SpikeAt = TimeSpan.FromSeconds(35);
    public static readonly TimeSpan SpikeFor = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(150);

    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task _load = Task.CompletedTask;
    private Task _consumer = Task.CompletedTask;
    private StreamSubscriptionHandle<AnomalyNotification>? _subscription;

    public KafkaBrokerProcess Kafka { get; private set; } = null!;
    public ClickHouseServerProcess ClickHouse { get; private set; } = null!;
    public ClickHouseHttp Sql { get; private set; } = null!;
    public TestCluster Cluster { get; private set; } = null!;
    public WebhookReceiver Webhook { get; private set; } = null!;
    public string EventsTopic { get; } = KafkaBrokerProcess.UniqueTopicName("it-events");
    public string AnomaliesTopic { get; } = KafkaBrokerProcess.UniqueTopicName("it-anomalies");
    public string Database { get; } = "it_anomalies_" + Guid.NewGuid().ToString("N")[..8];
    public string PagePrefix { get; } = "/it-anom-" + Guid.NewGuid().ToString("N")[..6];

    /// <summary>The page whose traffic spikes: the most popular one.</summary>
    public string SpikedPage => PagePrefix + PageCatalog.PathFor(0);

    /// <summary>When the load generator started (UTC); the spike starts <see cref="SpikeAt"/> later.</summary>
    public DateTime LoadStartedAt { get; private set; }

    /// <summary>Notifications received on the Orleans stream by the cluster client.</summary>
    public ConcurrentQueue<AnomalyNotification> StreamNotifications { get; } = new();

    /// <summary>Messages consumed from the anomalies topic.</summary>
    public ConcurrentQueue<AnomalyMessage> KafkaMessages { get; } = new();

    /// <summary>What happened when, for the test output.</summary>
    public ConcurrentQueue<string> Timeline { get; } = new();

    public async Task InitializeAsync()
    {
        Webhook = WebhookReceiver.Start();
        Kafka = await KafkaBrokerProcess.StartAsync([EventsTopic, AnomaliesTopic], Partitions);
        ClickHouse = await ClickHouseServerProcess.StartAsync();
        Sql = new ClickHouseHttp(ClickHouse.HttpUri);
        Mark("broker and ClickHouse up");

        var builder = new TestClusterBuilder(2);
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(Settings()));
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        builder.AddClientBuilderConfigurator<AnomalyStreamClient>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Mark("cluster up");

        _subscription = await Cluster.Client.GetStreamProvider(AnomalyStreams.ProviderName)
            .GetStream<AnomalyNotification>(StreamId.Create(AnomalyStreams.Namespace, AnomalyStreams.Key))
            .SubscribeAsync((notification, _) =>
            {
                StreamNotifications.Enqueue(notification);
                return Task.CompletedTask;
            });
        _consumer = Task.Factory.StartNew(ConsumeAnomalies, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        LoadStartedAt = DateTime.UtcNow;
        _load = new LoadRunner(LoadOptions(), TimeProvider.System, log: null).RunAsync(_stop.Token);
        Mark("load started");

        await Eventually.WaitAsync(async () => await EndedIncidentsAsync() >= 2, ReadyTimeout,
            "the page and the site spike to be stored in analytics.anomalies with their ends", DescribeAsync);
        Mark("both incidents ended in ClickHouse");
    }

    /// <summary>The ended spikes in ClickHouse: the spiked page's and the site's.</summary>
    public Task<long> EndedIncidentsAsync() => Sql.ScalarAsync(
        $"SELECT count() FROM {Database}.anomalies FINAL WHERE direction = 'spike' AND ended_at IS NOT NULL " +
        $"AND ((scope = 'page' AND page = '{SpikedPage}') OR scope = 'site')");

    public async Task<string> DescribeAsync()
    {
        var rows = await Sql.QueryAsync($"SELECT anomaly_id, scope, page, direction, toString(ended_at) AS ended, version FROM {Database}.anomalies FINAL");
        return $"load: {(_load.IsFaulted ? _load.Exception!.GetBaseException().Message : "running")}; rows: " +
            string.Join("; ", rows.Select(r => r.ToString())) + $"; timeline: {string.Join(", ", Timeline)}";
    }

    public void Mark(string what) => Timeline.Enqueue(string.Create(CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalSeconds:0.0}s {what}"));

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        await Ignore(_load);
        await Ignore(_consumer);
        if (_subscription is not null) await Ignore(_subscription.UnsubscribeAsync());
        if (Cluster is not null) await Cluster.DisposeAsync();
        Sql?.Dispose();
        if (ClickHouse is not null) await ClickHouse.DisposeAsync();
        if (Kafka is not null) await Kafka.DisposeAsync();
        if (Webhook is not null) await Webhook.DisposeAsync();
        _stop.Dispose();
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = AnalyticsTestCluster.Settings(Kafka.BootstrapServers, EventsTopic, ClickHouse.ConnectionString, Database);
        // Test-sized detection: a 20 s warm-up in a 1-minute window; defaults otherwise (3 sigma over 4 s).
        settings["Anomalies:Window"] = "00:01:00";
        settings["Anomalies:WarmUp"] = "00:00:20";
        settings["Anomalies:RebaselineAfter"] = "00:00:30";
        settings["Anomalies:Cooldown"] = "00:00:30";
        settings["Anomalies:Kafka:Topic"] = AnomaliesTopic;
        settings["Anomalies:Publishing:SweepInterval"] = "00:00:00.500";
        settings["Anomalies:Publishing:RetryDelay"] = "00:00:00.200";
        settings["Anomalies:Webhooks:Urls:0"] = Webhook.Url.ToString();
        settings["Anomalies:Webhooks:RequestTimeout"] = "00:00:02";
        settings["Anomalies:Webhooks:InitialBackoff"] = "00:00:00.200";
        settings["Anomalies:Webhooks:MaxAttempts"] = "4";
        return settings;
    }

    private LoadGeneratorOptions LoadOptions() => new()
    {
        BootstrapServers = Kafka.BootstrapServers,
        Topic = EventsTopic,
        Rate = BaseRate,
        Duration = TimeSpan.Zero, // until the fixture stops it
        Pages = 5,
        Users = 2_000,
        Sessions = 200,
        PagePrefix = PagePrefix,
        Seed = 20261125,
        Quiet = true,
        FlushTimeout = TimeSpan.FromSeconds(5),
        Incidents = [new IncidentSpec { Kind = IncidentKind.Spike, Rank = 1, At = SpikeAt, Factor = SpikeFactor, For = SpikeFor }],
    };

    private void ConsumeAnomalies()
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = "it-" + AnomaliesTopic,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Assign(Enumerable.Range(0, Partitions).Select(p => new TopicPartitionOffset(AnomaliesTopic, p, Offset.Beginning)));
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result?.Message?.Value is { } value && AnomalyMessage.Deserialize(value) is { } message)
                {
                    KafkaMessages.Enqueue(message);
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private static async Task Ignore(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or KafkaException or InvalidOperationException or TimeoutException)
        {
        }
    }

    /// <summary>The test's cluster client subscribes to the anomaly stream, so it needs the stream provider.</summary>
    public sealed class AnomalyStreamClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.AddMemoryStreams(AnomalyStreams.ProviderName);
    }
}
