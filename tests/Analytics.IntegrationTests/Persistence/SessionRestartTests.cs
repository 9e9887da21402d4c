using Analytics.Contracts.Sessions;
using Analytics.IntegrationTests.Cluster;
using Analytics.IntegrationTests.Infrastructure;
using Npgsql;
using Orleans.TestingHost;
using Xunit;

namespace Analytics.IntegrationTests.Persistence;

/// <summary>
/// A session's state is durable once its events are committed: a cluster with <c>Silo:Persistence=AdoNet</c> applies a
/// session's events, the consumer group commits them, every silo is killed (no graceful deactivation, so nothing is
/// written on the way down), and a new cluster with the same service id, which resumes after the committed offsets and
/// so replays nothing, still shows every event of the session exactly once: from PostgreSQL alone.
/// </summary>
public sealed class SessionRestartTests
{
    private const int Partitions = 4;
    private const int Events = 40;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Session_state_covering_committed_events_survives_killing_every_silo()
    {
        var topic = KafkaBrokerProcess.UniqueTopicName("it-sessions");
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var sessionId = $"s-restart-{suffix}";
        await using var kafka = await KafkaBrokerProcess.StartAsync([topic], Partitions);
        await using var clickHouse = await ClickHouseServerProcess.StartAsync();
        await using var postgres = await PostgresServerProcess.StartAsync();
        var database = $"sessions_{suffix}";
        var settings = AnalyticsTestCluster.Settings(kafka.BootstrapServers, topic, clickHouse.ConnectionString, database);
        settings["Silo:Persistence"] = "AdoNet";
        settings["ConnectionStrings:Postgres"] = await postgres.CreateDatabaseAsync(database, applyRepositorySchema: true);
        var serviceId = $"it-sessions-{suffix}";

        var first = await AnalyticsTestCluster.StartAsync(settings, serviceId: serviceId);
        try
        {
            using (var producer = new TestEventProducer(kafka.BootstrapServers, topic))
            {
                // Keyed round-robin, so the session's events come through every partition (one applied offset each).
                await producer.ProduceAsync(SessionEvents(sessionId), i => $"k-{i % 7}");
            }
            await Eventually.WaitAsync(async () => (await SessionAsync(first, sessionId))?.Events == Events, Deadline,
                $"session {sessionId} to have applied its {Events} events", async () => Describe(await SessionAsync(first, sessionId)));
            await Eventually.WaitAsync(
                async () => (await ConsumerGroupLag.CommittedLagAsync(kafka.BootstrapServers, "it-" + topic, topic, Partitions)).Values.All(lag => lag == 0),
                Deadline, "the consumer group to commit every partition to its end");
            Assert.Equal(1, await StoredRowsAsync(settings["ConnectionStrings:Postgres"]!, sessionId));

            foreach (var silo in first.Silos.Reverse().ToList()) await first.KillSiloAsync(silo);
        }
        finally
        {
            await first.DisposeAsync();
        }

        await using var second = await AnalyticsTestCluster.StartAsync(settings, serviceId: serviceId);
        var restored = await SessionAsync(second, sessionId);
        Assert.NotNull(restored);
        Assert.Equal(Events, restored.Events);
        Assert.Equal(Events / 2, restored.PageViews);
        Assert.Equal("/p-0", restored.EntryPage);

        // More events of the same session after the restart continue it (read back from the store), not restart it.
        using (var producer = new TestEventProducer(kafka.BootstrapServers, topic))
        {
            await producer.ProduceAsync(SessionEvents(sessionId, first: Events, count: 10), i => $"k-{i % 7}");
        }
        await Eventually.WaitAsync(async () => (await SessionAsync(second, sessionId))?.Events == Events + 10, Deadline,
            $"session {sessionId} to continue with {Events + 10} events", async () => Describe(await SessionAsync(second, sessionId)));
        var continued = await SessionAsync(second, sessionId);
        Assert.Equal(("/p-0", $"/p-{Events + 8}"), (continued!.EntryPage, continued.ExitPage));
    }

    private static IEnumerable<byte[]> SessionEvents(string sessionId, int first = 0, int count = Events)
    {
        // Seconds apart, ending now: each batch comes after the previous one in event time.
        var start = DateTime.UtcNow.AddSeconds(-count - first);
        return Enumerable.Range(first, count).Select(i => TestEventProducer.Bytes(TestEventProducer.Json(
            i % 2 == 0 ? "page_view" : "click", $"/p-{i}", "u-restart", sessionId, start.AddSeconds(i))));
    }

    private static Task<SessionLiveState?> SessionAsync(TestCluster cluster, string sessionId) =>
        cluster.GrainFactory.GetGrain<ISessionGrain>(sessionId).GetAsync();

    private static string Describe(SessionLiveState? session) =>
        session is null ? "no session state" : $"{session.Events} events, {session.PageViews} page views";

    private static async Task<long> StoredRowsAsync(string connectionString, string sessionId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM analytics_shard_items WHERE store = 'sessions' AND item_key = @key", connection);
        count.Parameters.AddWithValue("key", sessionId);
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
