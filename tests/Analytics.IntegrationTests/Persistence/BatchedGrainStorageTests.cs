using System.Diagnostics.Metrics;
using Analytics.Grains.Windows;
using Analytics.IntegrationTests.Infrastructure;
using Analytics.Persistence.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Xunit;

namespace Analytics.IntegrationTests.Persistence;

/// <summary>
/// The batched grain storage against a real PostgreSQL 15: many grains' writes share round trips, each row keeps its
/// own version check, reads return what was written, clears delete. Each test has its own database, so its own table.
/// </summary>
public sealed class BatchedGrainStorageTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string StateName = "session";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly ServiceProvider Services = new ServiceCollection().AddSerializer().AddMetrics().BuildServiceProvider();
    private readonly List<BatchedGrainStorage> _started = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateUniqueDatabaseAsync("batched");

    public async Task DisposeAsync()
    {
        foreach (var storage in _started) await storage.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Concurrent_writes_of_many_grains_share_few_round_trips_and_read_back_exactly()
    {
        const int grains = 300;
        var storage = await StartAsync(maxBatchSize: 100, maxConcurrentBatches: 2);

        var states = Enumerable.Range(0, grains).Select(i => State(i)).ToList();
        await Task.WhenAll(states.Select((s, i) => storage.WriteStateAsync(StateName, Grain(i), s))).WaitAsync(Deadline);

        Assert.All(states, s => Assert.Equal("1", s.ETag));
        // 300 rows at up to 100 per statement: 3 round trips when every batch fills, a few more if the two batch
        // loops split a burst between them; one write per grain would be 300.
        Assert.InRange(storage.WriteRoundTrips, 3, 6);
        Assert.Equal(grains, await CountRowsAsync());

        // A new activation elsewhere (another storage instance, as on another silo) reads exactly what was written.
        var reader = await StartAsync(maxBatchSize: 100, maxConcurrentBatches: 2);
        var read = Enumerable.Range(0, grains).Select(_ => new GrainState<PageWindowState>()).ToList();
        await Task.WhenAll(read.Select((s, i) => reader.ReadStateAsync(StateName, Grain(i), s))).WaitAsync(Deadline);
        for (var i = 0; i < grains; i++)
        {
            Assert.True(read[i].RecordExists);
            Assert.Equal("1", read[i].ETag);
            Assert.Equal(i + 1, read[i].State!.TotalEvents);
            Assert.Equal(new Dictionary<int, long> { [i % 4] = 1000 + i }, read[i].State!.AppliedOffsets);
        }
        Assert.InRange(reader.ReadRoundTrips, 3, 6);
    }

    [Fact]
    public async Task A_stale_etag_fails_only_its_own_write_in_a_shared_round_trip()
    {
        const int grains = 20;
        const int stale = 7;
        var storage = await StartAsync(maxBatchSize: 100, maxConcurrentBatches: 1);
        var states = Enumerable.Range(0, grains).Select(i => State(i)).ToList();
        await Task.WhenAll(states.Select((s, i) => storage.WriteStateAsync(StateName, Grain(i), s))).WaitAsync(Deadline);
        var roundTripsBefore = storage.WriteRoundTrips;

        foreach (var s in states) s.State!.TotalEvents += 100;
        states[stale].ETag = "5"; // another activation has moved on, or never was at this version
        var writes = states.Select((s, i) => storage.WriteStateAsync(StateName, Grain(i), s)).ToList();
        await Task.WhenAll(writes).ContinueWith(_ => { }).WaitAsync(Deadline);

        await Assert.ThrowsAsync<InconsistentStateException>(() => writes[stale]);
        Assert.All(Enumerable.Range(0, grains).Where(i => i != stale), i =>
        {
            Assert.True(writes[i].IsCompletedSuccessfully, $"grain {i}: {writes[i].Exception}");
            Assert.Equal("2", states[i].ETag);
        });
        Assert.Equal(1, storage.WriteRoundTrips - roundTripsBefore);

        var current = new GrainState<PageWindowState>();
        await storage.ReadStateAsync(StateName, Grain(stale), current);
        Assert.Equal("1", current.ETag);
        Assert.Equal(stale + 1, current.State!.TotalEvents);
    }

    [Fact]
    public async Task Two_activations_creating_the_same_state_cannot_both_win()
    {
        var silo1 = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1);
        var silo2 = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1);
        var first = State(1);
        var second = State(2);

        var writes = new[] { silo1.WriteStateAsync(StateName, Grain(42), first), silo2.WriteStateAsync(StateName, Grain(42), second) };
        await Task.WhenAll(writes).ContinueWith(_ => { }).WaitAsync(Deadline);

        Assert.Equal(1, writes.Count(w => w.IsCompletedSuccessfully));
        Assert.IsType<InconsistentStateException>(writes.Single(w => w.IsFaulted).Exception!.InnerException);
        var stored = new GrainState<PageWindowState>();
        await silo1.ReadStateAsync(StateName, Grain(42), stored);
        Assert.Equal(writes[0].IsCompletedSuccessfully ? 2 : 3, stored.State!.TotalEvents);
    }

    [Fact]
    public async Task A_grain_without_state_reads_a_fresh_one_and_clear_deletes_the_row()
    {
        var storage = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1);
        var missing = new GrainState<PageWindowState>();
        await storage.ReadStateAsync(StateName, Grain(1), missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);
        Assert.NotNull(missing.State);
        Assert.Equal(0, missing.State!.TotalEvents);

        var state = State(1);
        await storage.WriteStateAsync(StateName, Grain(1), state);
        var stale = new GrainState<PageWindowState>(state.State!, "7");
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, Grain(1), stale));
        Assert.Equal(1, await CountRowsAsync());

        await storage.ClearStateAsync(StateName, Grain(1), state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, await CountRowsAsync());
        var afterClear = new GrainState<PageWindowState>();
        await storage.ReadStateAsync(StateName, Grain(1), afterClear);
        Assert.False(afterClear.RecordExists);

        state.State!.TotalEvents = 5;
        await storage.WriteStateAsync(StateName, Grain(1), state);
        Assert.Equal("1", state.ETag);
    }

    [Fact]
    public async Task Several_silos_starting_at_once_create_the_table_without_failing()
    {
        var storages = Enumerable.Range(0, 6).Select(_ => Create(maxBatchSize: 10, maxConcurrentBatches: 1)).ToList();

        await Task.WhenAll(storages.Select(s => s.StartAsync(CancellationToken.None))).WaitAsync(Deadline);
        _started.AddRange(storages);

        await Task.WhenAll(storages.Select((s, i) => s.WriteStateAsync(StateName, Grain(i), State(i)))).WaitAsync(Deadline);
        Assert.Equal(6, await CountRowsAsync());
    }

    [Fact]
    public async Task State_written_as_json_by_an_earlier_version_is_read_through_the_binary_serializers_json_fallback()
    {
        var json = AdoNetStateSerializer.Create();
        var binary = new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>());
        var before = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1, json);
        await before.WriteStateAsync(StateName, Grain(3), State(3)).WaitAsync(Deadline);

        var binaryOnly = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1, binary);
        await Assert.ThrowsAnyAsync<Exception>(() => binaryOnly.ReadStateAsync(StateName, Grain(3), new GrainState<PageWindowState>()));

        // What the silo configures for page state: binary, falling back to JSON for rows written before.
        var after = await StartAsync(maxBatchSize: 10, maxConcurrentBatches: 1, new GrainStorageSerializer(binary, json));
        var read = new GrainState<PageWindowState>();
        await after.ReadStateAsync(StateName, Grain(3), read).WaitAsync(Deadline);
        Assert.Equal((4L, 1003L), (read.State!.TotalEvents, read.State.AppliedOffsets[3]));

        read.State.TotalEvents = 40;
        await after.WriteStateAsync(StateName, Grain(3), read).WaitAsync(Deadline);
        var again = new GrainState<PageWindowState>();
        await binaryOnly.ReadStateAsync(StateName, Grain(3), again).WaitAsync(Deadline);
        Assert.Equal(40, again.State!.TotalEvents);
    }

    private async Task<BatchedGrainStorage> StartAsync(int maxBatchSize, int maxConcurrentBatches, IGrainStorageSerializer? serializer = null)
    {
        var storage = Create(maxBatchSize, maxConcurrentBatches, serializer);
        await storage.StartAsync(CancellationToken.None);
        _started.Add(storage);
        return storage;
    }

    private BatchedGrainStorage Create(int maxBatchSize, int maxConcurrentBatches, IGrainStorageSerializer? serializer = null) => new(
        "it-sessions",
        new BatchedGrainStorageOptions
        {
            ConnectionString = _connectionString,
            MaxBatchSize = maxBatchSize,
            // Long enough that a burst of calls made in one loop always meets in the same batch on a busy machine.
            MaxBatchDelay = TimeSpan.FromMilliseconds(100),
            MaxConcurrentBatches = maxConcurrentBatches,
            GrainStorageSerializer = serializer ?? new OrleansGrainStorageSerializer(Services.GetRequiredService<Serializer>()),
        },
        Options.Create(new ClusterOptions { ServiceId = "it-batched" }),
        Services.GetRequiredService<IActivatorProvider>(),
        new BatchedStorageMetrics(Services.GetRequiredService<IMeterFactory>()),
        TimeProvider.System,
        NullLogger<BatchedGrainStorage>.Instance);

    private async Task<long> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {new BatchedGrainStorageOptions().TableName}", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static GrainId Grain(int i) => GrainId.Create("pagegrain", $"/p-{i}");

    private static GrainState<PageWindowState> State(int i) => new(new PageWindowState
    {
        TotalEvents = i + 1,
        AppliedOffsets = { [i % 4] = 1000 + i },
    });
}
