using Analytics.Persistence.Postgres.Sharded;
using Analytics.Persistence.Postgres.Testing;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>The in-memory sharded store behaves as the PostgreSQL one: versions, all-or-nothing writes, orders, limits, injected failures.</summary>
public sealed class InMemoryShardedStateStoreTests
{
    private static readonly DateTime T0 = new(2025, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly InMemoryShardedStateStore _store = new();

    [Fact]
    public async Task Versions_start_at_0_and_each_write_increments_them()
    {
        Assert.Same(ShardHeader.None, await _store.ReadHeaderAsync("s"));

        Assert.Equal(1, await _store.WriteAsync("s", 0, [1], [Item("a", 1)], []));
        Assert.Equal(2, await _store.WriteAsync("s", 1, [2], [], []));

        var header = await _store.ReadHeaderAsync("s");
        Assert.Equal(2, header.Version);
        Assert.Equal([2], header.Payload);
        Assert.Equal(0, (await _store.ReadHeaderAsync("other")).Version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task A_conflicting_write_throws_and_changes_nothing(long expected)
    {
        await _store.WriteAsync("s", 0, [1], [Item("a", 1), Item("b", 1)], []);

        await Assert.ThrowsAsync<ShardVersionConflictException>(() => _store.WriteAsync("s", expected, [9], [Item("a", 9)], ["b"]));

        Assert.Equal(1, (await _store.ReadHeaderAsync("s")).Version);
        Assert.Equal([1L, 1L], (await _store.ReadItemsAsync("s", ["a", "b"])).Select(i => i.WrittenSeq));
        Assert.Equal(1, _store.Conflicts);
    }

    [Fact]
    public async Task An_injected_failure_fails_only_the_next_write_and_stores_nothing()
    {
        var failure = new TimeoutException("connection lost");
        _store.FailNextWrite(failure);

        Assert.Same(failure, await Assert.ThrowsAsync<TimeoutException>(() => _store.WriteAsync("s", 0, [1], [Item("a", 1)], [])));
        Assert.Equal(0, _store.CountItems("s"));
        Assert.Equal(1, await _store.WriteAsync("s", 0, [1], [Item("a", 1)], []));
        Assert.Equal(2, _store.Writes);
    }

    [Fact]
    public async Task Upserts_replace_deletes_remove_and_missing_keys_are_left_out()
    {
        await _store.WriteAsync("s", 0, [], [Item("a", 1), Item("b", 1)], []);
        var local = new DateTime(2025, 3, 1, 13, 0, 0, DateTimeKind.Unspecified).AddTicks(9);

        await _store.WriteAsync("s", 1, [], [new ShardItem("a", [7], local, 2)], ["b", "zz"]);

        var a = Assert.Single(await _store.ReadItemsAsync("s", ["a", "b", "c"]));
        Assert.Equal([7], a.Payload);
        Assert.Equal(2, a.WrittenSeq);
        Assert.Equal(T0.AddHours(1), a.ActiveAt);
        Assert.Equal(DateTimeKind.Utc, a.ActiveAt.Kind);
        Assert.Equal(1, _store.CountItems("s"));
    }

    [Fact]
    public async Task Payloads_are_copied_in_and_out()
    {
        var payload = new byte[] { 1 };
        await _store.WriteAsync("s", 0, [], [new ShardItem("a", payload, T0, 1)], []);
        payload[0] = 2;
        (await _store.ReadItemsAsync("s", ["a"]))[0].Payload[0] = 3;

        Assert.Equal([1], (await _store.ReadItemsAsync("s", ["a"]))[0].Payload);
    }

    [Fact]
    public async Task Written_after_and_active_before_come_in_order_up_to_the_limit()
    {
        await _store.WriteAsync("s", 0, [], [Item("x", 5, minutes: 30), Item("y", 2, minutes: 10), Item("z", 9, minutes: 20), Item("w", 2, minutes: 10)], []);

        Assert.Equal(["w", "y", "x"], (await _store.ReadItemsWrittenAfterAsync("s", 1, 3)).Select(i => i.Key));
        Assert.Equal(["x", "z"], (await _store.ReadItemsWrittenAfterAsync("s", 2, 10)).Select(i => i.Key));
        Assert.Equal(["w", "y"], (await _store.ReadItemsActiveBeforeAsync("s", T0.AddMinutes(30), 2)).Select(i => i.Key));
        Assert.Equal(["w", "y", "z"], (await _store.ReadItemsActiveBeforeAsync("s", T0.AddMinutes(30), 10)).Select(i => i.Key));
        Assert.Equal(4, _store.Reads);
    }

    [Fact]
    public async Task Bad_writes_and_limits_are_refused_as_by_the_postgres_store()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync("s", 0, [], [Item("a", 1), Item("a", 2)], []));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.WriteAsync("s", 0, [], [Item("a", 1)], ["a"]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.WriteAsync("s", -1, [], [], []));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _store.ReadItemsWrittenAfterAsync("s", 0, 0));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReadHeaderAsync(""));
        Assert.Equal(0, (await _store.ReadHeaderAsync("s")).Version);
    }

    [Fact]
    public async Task Concurrent_writers_from_one_version_get_one_success_each_round()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            try { return await _store.WriteAsync("s", 0, [(byte)i], [Item($"k{i}", i)], []); }
            catch (ShardVersionConflictException) { return 0L; }
        })));

        Assert.Equal(1, results.Count(v => v == 1));
        Assert.Equal(1, _store.CountItems("s"));
        Assert.Equal(15, _store.Conflicts);
    }

    private static ShardItem Item(string key, long seq, int minutes = 0) => new(key, [(byte)seq], T0.AddMinutes(minutes), seq);
}
