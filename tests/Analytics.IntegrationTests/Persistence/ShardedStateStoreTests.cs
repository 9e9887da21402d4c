using System.Diagnostics;
using System.Diagnostics.Metrics;
using Analytics.Persistence.Postgres.Sharded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;
using Xunit.Abstractions;

namespace Analytics.IntegrationTests.Persistence;

/// <summary>
/// The PostgreSQL sharded state store against a real server: versioned all-or-nothing writes of a header and many
/// items in one statement, the three item reads with their orders and limits, isolation between stores and
/// services, concurrent table creation. Each test has its own database.
/// </summary>
public sealed class ShardedStateStoreTests(PostgresFixture postgres, ITestOutputHelper output) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string Shard = "shard-07";
    private static readonly DateTime T0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly ServiceProvider Services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<PostgresShardedStateStore> _stores = [];
    private string _connectionString = "";

    public async Task InitializeAsync() => _connectionString = await postgres.CreateUniqueDatabaseAsync("sharded");

    public async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
    }

    [Fact]
    public async Task The_first_write_expects_version_0_and_every_write_increments_the_version()
    {
        var store = await StartAsync();
        Assert.Equal(ShardHeader.None.Version, (await store.ReadHeaderAsync(Shard)).Version);
        Assert.Empty((await store.ReadHeaderAsync(Shard)).Payload);

        Assert.Equal(1, await store.WriteAsync(Shard, 0, [1], [Item("a", 1)], []));
        Assert.Equal(2, await store.WriteAsync(Shard, 1, [2], [Item("b", 2)], []));
        Assert.Equal(3, await store.WriteAsync(Shard, 2, [3, 3], [], []));

        var header = await store.ReadHeaderAsync(Shard);
        Assert.Equal(3, header.Version);
        Assert.Equal([3, 3], header.Payload);
        Assert.Equal(["a", "b"], (await store.ReadItemsAsync(Shard, ["a", "b"])).Select(i => i.Key).Order());
    }

    [Theory]
    [InlineData(0)] // "never written", but it was
    [InlineData(1)] // an older version
    [InlineData(3)] // a version that never was
    public async Task A_write_expecting_another_version_throws_and_stores_nothing(long expected)
    {
        var store = await StartAsync();
        await store.WriteAsync(Shard, 0, [1], [Item("a", 1), Item("b", 1)], []);
        await store.WriteAsync(Shard, 1, [2], [Item("a", 2)], []);

        var conflict = await Assert.ThrowsAsync<ShardVersionConflictException>(
            () => store.WriteAsync(Shard, expected, [9], [Item("a", 9), Item("new", 9)], ["b"]));

        Assert.Equal(Shard, conflict.Shard);
        Assert.Equal(expected, conflict.ExpectedVersion);
        var header = await store.ReadHeaderAsync(Shard);
        Assert.Equal(2, header.Version);
        Assert.Equal([2], header.Payload);
        var items = await store.ReadItemsAsync(Shard, ["a", "b", "new"]);
        Assert.Equal([("a", 2L), ("b", 1L)], items.Select(i => (i.Key, i.WrittenSeq)).OrderBy(i => i.Key));
    }

    [Fact]
    public async Task A_write_to_a_shard_never_written_with_a_version_above_0_is_a_conflict()
    {
        var store = await StartAsync();

        await Assert.ThrowsAsync<ShardVersionConflictException>(() => store.WriteAsync(Shard, 1, [1], [Item("a", 1)], []));

        Assert.Equal(0, (await store.ReadHeaderAsync(Shard)).Version);
        Assert.Empty(await store.ReadItemsAsync(Shard, ["a"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task Of_two_activations_writing_from_the_same_version_at_once_exactly_one_wins(long from)
    {
        var store1 = await StartAsync();
        var store2 = await StartAsync(initialize: false);
        if (from > 0) await store1.WriteAsync(Shard, 0, [0], [], []);

        var writes = new[]
        {
            store1.WriteAsync(Shard, from, [1], [Item("one", 1), Item("both", 1)], []),
            store2.WriteAsync(Shard, from, [2], [Item("two", 2), Item("both", 2)], []),
        };
        await Task.WhenAll(writes).ContinueWith(_ => { });

        var winner = Assert.Single(writes, w => w.IsCompletedSuccessfully);
        Assert.Equal(from + 1, await winner);
        Assert.IsType<ShardVersionConflictException>(Assert.Single(writes, w => w.IsFaulted).Exception!.InnerException);
        var seq = winner == writes[0] ? 1 : 2;
        Assert.Equal([(byte)seq], (await store1.ReadHeaderAsync(Shard)).Payload);
        var items = await store1.ReadItemsAsync(Shard, ["one", "two", "both"]);
        Assert.All(items, i => Assert.Equal(seq, i.WrittenSeq));
        Assert.Equal(2, items.Count);
    }

    [Fact]
    public async Task An_upsert_replaces_payload_active_at_and_written_seq_and_a_delete_removes_the_item()
    {
        var store = await StartAsync();
        await store.WriteAsync(Shard, 0, [], [Item("a", 1, minutes: 1), Item("b", 1, minutes: 1)], []);

        // Unspecified kind is taken as UTC; sub-microsecond ticks are dropped as timestamptz does.
        var later = DateTime.SpecifyKind(T0.AddMinutes(5).AddTicks(7), DateTimeKind.Unspecified);
        await store.WriteAsync(Shard, 1, [], [new ShardItem("a", [42, 43], later, 2)], ["b", "never-existed"]);

        var a = Assert.Single(await store.ReadItemsAsync(Shard, ["a", "b"]));
        Assert.Equal([42, 43], a.Payload);
        Assert.Equal(T0.AddMinutes(5), a.ActiveAt);
        Assert.Equal(DateTimeKind.Utc, a.ActiveAt.Kind);
        Assert.Equal(2, a.WrittenSeq);
        Assert.Equal(["a"], (await store.ReadItemsWrittenAfterAsync(Shard, 0, 10)).Select(i => i.Key));
    }

    [Fact]
    public async Task Reading_items_by_key_leaves_out_the_missing_ones()
    {
        var store = await StartAsync();
        await store.WriteAsync(Shard, 0, [], [Item("a", 1), Item("c", 1)], []);

        var items = await store.ReadItemsAsync(Shard, ["a", "b", "c", "d"]);

        Assert.Equal(["a", "c"], items.Select(i => i.Key).Order());
        Assert.Empty(await store.ReadItemsAsync(Shard, []));
        Assert.Empty(await store.ReadItemsAsync("other-shard", ["a"]));
    }

    [Fact]
    public async Task Items_written_after_a_sequence_come_lowest_sequence_first_up_to_the_limit()
    {
        var store = await StartAsync();
        await store.WriteAsync(Shard, 0, [], [Item("s5", 5), Item("s2", 2), Item("s9", 9)], []);
        await store.WriteAsync(Shard, 1, [], [Item("s7", 7), Item("s1", 1), Item("s3", 3)], []);

        Assert.Equal(["s3", "s5", "s7"], (await store.ReadItemsWrittenAfterAsync(Shard, 2, 3)).Select(i => i.Key));
        Assert.Equal(["s9"], (await store.ReadItemsWrittenAfterAsync(Shard, 7, 100)).Select(i => i.Key));
        Assert.Empty(await store.ReadItemsWrittenAfterAsync(Shard, 9, 100));
    }

    [Fact]
    public async Task Items_active_before_an_instant_come_oldest_first_up_to_the_limit()
    {
        var store = await StartAsync();
        await store.WriteAsync(Shard, 0, [], [Item("m30", 1, minutes: 30), Item("m10", 1, minutes: 10), Item("m50", 1, minutes: 50)], []);
        await store.WriteAsync(Shard, 1, [], [Item("m20", 2, minutes: 20), Item("m40", 2, minutes: 40)], []);

        Assert.Equal(["m10", "m20"], (await store.ReadItemsActiveBeforeAsync(Shard, T0.AddMinutes(45), 2)).Select(i => i.Key));
        Assert.Equal(["m10", "m20", "m30", "m40"], (await store.ReadItemsActiveBeforeAsync(Shard, T0.AddMinutes(45), 10)).Select(i => i.Key));
        // The bound is exclusive.
        Assert.Equal(["m10"], (await store.ReadItemsActiveBeforeAsync(Shard, T0.AddMinutes(20), 10)).Select(i => i.Key));
    }

    [Fact]
    public async Task Stores_of_another_name_or_service_share_the_tables_without_seeing_each_other()
    {
        var sessions = await StartAsync();
        var pages = await StartAsync(storeName: "pages");
        var otherService = await StartAsync(serviceId: "other-cluster");

        await sessions.WriteAsync(Shard, 0, [1], [Item("k", 1)], []);
        await pages.WriteAsync(Shard, 0, [2], [Item("k", 2)], []);

        Assert.Equal(0, (await otherService.ReadHeaderAsync(Shard)).Version);
        Assert.Empty(await otherService.ReadItemsAsync(Shard, ["k"]));
        Assert.Equal(1, await otherService.WriteAsync(Shard, 0, [3], [], ["k"]));
        Assert.Equal([1], (await sessions.ReadHeaderAsync(Shard)).Payload);
        Assert.Equal([2], (await pages.ReadHeaderAsync(Shard)).Payload);
        Assert.Equal(1, Assert.Single(await sessions.ReadItemsAsync(Shard, ["k"])).WrittenSeq);
        Assert.Equal(2, Assert.Single(await pages.ReadItemsWrittenAfterAsync(Shard, 0, 10)).WrittenSeq);
    }

    [Fact]
    public async Task Several_silos_initialising_at_once_all_succeed()
    {
        var stores = Enumerable.Range(0, 6).Select(i => Create(storeName: $"store{i}")).ToList();

        await Task.WhenAll(stores.Select(s => s.InitializeAsync(CancellationToken.None)));

        await Task.WhenAll(stores.Select(s => s.WriteAsync(Shard, 0, [], [Item("k", 1)], [])));
        foreach (var s in stores) Assert.Single(await s.ReadItemsAsync(Shard, ["k"]));
    }

    [Fact]
    public async Task A_write_of_5000_items_in_one_call_stores_them_all_and_a_later_one_deletes_them()
    {
        var store = await StartAsync();
        var items = Enumerable.Range(0, 5_000).Select(i => new ShardItem($"session-{i:D5}", Payload(i, 200), T0.AddSeconds(i), i)).ToList();

        Assert.Equal(1, await store.WriteAsync(Shard, 0, [1], items, []));

        var read = await store.ReadItemsWrittenAfterAsync(Shard, -1, 10_000);
        Assert.Equal(items.Select(i => (i.Key, i.ActiveAt, i.WrittenSeq)), read.Select(i => (i.Key, i.ActiveAt, i.WrittenSeq)));
        Assert.Equal(Payload(4_321, 200), read[4_321].Payload);
        Assert.Equal(2, await store.WriteAsync(Shard, 1, [2], [], items.Select(i => i.Key).ToList()));
        Assert.Empty(await store.ReadItemsWrittenAfterAsync(Shard, -1, 10_000));
    }

    [Fact]
    public async Task A_write_naming_a_key_twice_is_refused_before_it_reaches_the_database()
    {
        var store = await StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(Shard, 0, [], [Item("a", 1), Item("a", 2)], []));
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteAsync(Shard, 0, [], [Item("a", 1)], ["a"]));

        Assert.Equal(0, (await store.ReadHeaderAsync(Shard)).Version);
    }

    [Fact]
    public async Task Micro_benchmark_20_writes_of_2000_items_into_one_shard()
    {
        const int writes = 20;
        const int perWrite = 2_000;
        var store = await StartAsync();
        var version = 0L;
        var watch = Stopwatch.StartNew();
        for (var w = 0; w < writes; w++)
        {
            // Half the keys are new each time, half update earlier ones: the mix of a live session shard.
            var items = Enumerable.Range(0, perWrite)
                .Select(i => new ShardItem($"session-{w * perWrite / 2 + i:D7}", Payload(i, 200), T0.AddSeconds(w), w + 1)).ToList();
            version = await store.WriteAsync(Shard, version, Payload(w, 64), items, []);
        }
        watch.Stop();

        Assert.Equal(writes, version);
        output.WriteLine($"{writes} writes of {perWrite} items (200-byte payloads): {watch.Elapsed.TotalMilliseconds:F0} ms, "
            + $"{writes * perWrite / watch.Elapsed.TotalSeconds:F0} rows/s, {watch.Elapsed.TotalMilliseconds / writes:F1} ms per write");
    }

    private async Task<PostgresShardedStateStore> StartAsync(string storeName = "sessions", string serviceId = "it-sharded", bool initialize = true)
    {
        var store = Create(storeName, serviceId);
        if (initialize) await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private PostgresShardedStateStore Create(string storeName = "sessions", string serviceId = "it-sharded")
    {
        var store = new PostgresShardedStateStore(
            Options.Create(new ShardedStateStoreOptions { ConnectionString = _connectionString, ServiceId = serviceId, StoreName = storeName }),
            new ShardedStateStoreMetrics(Services.GetRequiredService<IMeterFactory>()),
            NullLogger<PostgresShardedStateStore>.Instance);
        _stores.Add(store);
        return store;
    }

    private static ShardItem Item(string key, long seq, int minutes = 0) => new(key, [(byte)seq], T0.AddMinutes(minutes), seq);

    private static byte[] Payload(int seed, int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(seed + i))];
}
