using Analytics.ClickHouse;
using Analytics.ClickHouse.Schema;
using Analytics.Contracts.Events;
using Analytics.Contracts.Flush;
using Analytics.Grains.Flush;
using Analytics.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Analytics.IntegrationTests.Flush;

/// <summary>
/// What a flush grain relies on when it repeats a sealed batch of late events (after a failed or unreported insert,
/// or from a new activation after a crash): a real ClickHouse server keeps one copy of a batch written again under
/// its token, also when the insert is split into chunks or its rows fall into several partitions (months), and
/// still stores a different batch. Each test writes into its own database.
/// </summary>
public sealed class LateEventsDeduplicationTests : IAsyncLifetime
{
    private const string Topic = "it-late";
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    private ClickHouseServerProcess _server = null!;
    private ClickHouseHttp _sql = null!;
    private readonly List<ServiceProvider> _providers = [];

    public async Task InitializeAsync()
    {
        _server = await ClickHouseServerProcess.StartAsync();
        _sql = new ClickHouseHttp(_server.HttpUri);
    }

    public async Task DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
        _sql?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    [Fact]
    public async Task ABatchWrittenTwiceUnderItsToken_IsStoredOnce()
    {
        var (sink, database) = await SinkAsync();
        var batch = Late(T0, 0, 1, 2, 3);

        await WriteAsync(sink, batch);
        await WriteAsync(sink, batch);

        Assert.Equal(4, await CountAsync(database));
        Assert.Equal(4, await _sql.ScalarAsync($"SELECT uniqExact(kafka_partition, kafka_offset) FROM `{database}`.late_events"));
    }

    [Fact]
    public async Task ABatchSplitIntoChunks_WrittenTwice_IsStoredOnce()
    {
        var (sink, database) = await SinkAsync(maxBatchRows: 2);
        var batch = Late(T0, 0, 1, 2, 3, 4);

        await WriteAsync(sink, batch);
        await WriteAsync(sink, batch);

        Assert.Equal(5, await CountAsync(database));
    }

    [Fact]
    public async Task ABatchDetectedAcrossTwoMonths_WrittenTwice_IsStoredOnce()
    {
        // late_events is partitioned by month of detection: such a batch is one insert but two parts.
        var (sink, database) = await SinkAsync();
        var endOfMonth = new DateTime(2026, 6, 30, 23, 59, 59, DateTimeKind.Utc);
        var batch = Late(endOfMonth, 0, 1).Concat(Late(endOfMonth.AddSeconds(2), 2, 3)).ToArray();

        await WriteAsync(sink, batch);
        await WriteAsync(sink, batch);

        Assert.Equal(2, await _sql.ScalarAsync($"SELECT uniqExact(_partition_id) FROM `{database}`.late_events"));
        Assert.Equal(4, await CountAsync(database));
    }

    [Fact]
    public async Task ADifferentBatch_IsStored()
    {
        var (sink, database) = await SinkAsync();

        await WriteAsync(sink, Late(T0, 0, 1));
        await WriteAsync(sink, Late(T0, 2));
        await WriteAsync(sink, Late(T0, 0, 1));

        Assert.Equal(3, await CountAsync(database));
    }

    private async Task<(IAnalyticsSink Sink, string Database)> SinkAsync(int maxBatchRows = 50_000)
    {
        var database = $"it_late_{Guid.NewGuid():N}";
        var services = new ServiceCollection().AddLogging().AddClickHouseAnalytics(o =>
        {
            o.ConnectionString = _server.ConnectionString;
            o.Database = database;
            o.MaxBatchRows = maxBatchRows;
            // Fixed dates in the past would be expired by the default 30-day TTL as they are inserted.
            o.LateEventsTtlDays = 0;
        });
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        await provider.GetRequiredService<ClickHouseSchemaMigrator>().MigrateAsync();
        return (provider.GetRequiredService<IAnalyticsSink>(), database);
    }

    private Task<long> CountAsync(string database) => _sql.ScalarAsync($"SELECT count() FROM `{database}`.late_events");

    // As the flush grain writes a sealed batch: its rows in order, under the token of its positions.
    private static Task WriteAsync(IAnalyticsSink sink, LateEvent[] batch) =>
        sink.WriteLateEventsAsync(batch.Select(l => LateEventRows.Of(l, Topic)).ToList(), LateEventLedger.TokenOf(Topic, batch));

    private static LateEvent[] Late(DateTime detectedAt, params long[] offsets) => offsets.Select(offset => new LateEvent
    {
        Event = new AnalyticsEvent
        {
            EventType = EventTypes.PageView,
            Page = "/late",
            UserId = $"u{offset}",
            Timestamp = T0.AddSeconds(offset % 60),
            Partition = 0,
            Offset = offset,
        },
        Minute = T0,
        Watermark = detectedAt,
        DetectedAt = detectedAt,
    }).ToArray();
}
