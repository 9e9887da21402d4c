using System.Diagnostics.Metrics;
using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Schema;
using Analytics.ClickHouse.Testing;
using Analytics.Grains.Archive;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Testing;
using Analytics.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.IntegrationTests.Archive;

/// <summary>
/// The archive's partition hand-over against a real ClickHouse engine: the previous owner's insert is still on its way
/// when the new owner takes the partition over and writes the same offsets. ClickHouse must keep one copy of every
/// record, also when the range spans two monthly partitions (two parts, each deduplicated by its own block token).
/// </summary>
public sealed class ArchiveHandOverTests : IAsyncLifetime
{
    private const int Partition = 3;
    private readonly string _database = $"it_archive_{Guid.NewGuid():N}";
    private readonly string _topic = KafkaBrokerProcess.UniqueTopicName("it-archive");
    private readonly InMemoryArchiveLedger _ledger = new();
    private ClickHouseServerProcess _clickHouse = null!;
    private ServiceProvider _services = null!;
    private ClickHouseHttp _sql = null!;

    public async Task InitializeAsync()
    {
        _clickHouse = await ClickHouseServerProcess.StartAsync();
        _sql = new ClickHouseHttp(_clickHouse.HttpUri);
        _services = new ServiceCollection()
            .AddLogging()
            .AddClickHouseAnalytics(o =>
            {
                o.ConnectionString = _clickHouse.ConnectionString;
                o.Database = _database;
                o.RawEventsTtlDays = 0; // the rows are stamped in fixed past months; a 30-day TTL would drop them on insert
            })
            .BuildServiceProvider();
        await _services.GetRequiredService<ClickHouseSchemaMigrator>().MigrateAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task PreviousOwnersInsert_LandingAroundTheNewOwnersWrite_IsStoredOnce(bool landsFirst)
    {
        var sink = _services.GetRequiredService<IAnalyticsSink>();
        var held = new HoldingAnalyticsSink(sink);
        var previous = Archiver(held);
        await previous.StartPartitionAsync(_topic, Partition, CancellationToken.None);
        previous.Enqueue(_topic, Partition, 0, 99, Events(0, 99), DeadLetters(0, 99));
        var previousWrite = previous.WriteOnceAsync(CancellationToken.None);
        await held.Arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The partition moves; the new owner replays it from the last commit (0) in polls of another size.
        var next = Archiver(sink);
        await next.StartPartitionAsync(_topic, Partition, CancellationToken.None);
        foreach (var (first, last) in new[] { (0L, 59L), (60L, 149L) })
            next.Enqueue(_topic, Partition, first, last, Events(first, last), DeadLetters(first, last));
        if (landsFirst) await ReleaseAsync();
        for (var round = 0; round < 10 && next.DurableOffset(Partition) is not null; round++)
            await next.WriteOnceAsync(CancellationToken.None);
        Assert.Null(next.DurableOffset(Partition));
        if (!landsFirst) await ReleaseAsync();

        var events = await _sql.QueryAsync($"SELECT count() AS rows, uniqExact(kafka_offset) AS offsets, uniqExact(toYYYYMM(timestamp)) AS months FROM {_database}.page_views WHERE kafka_topic = '{_topic}'");
        var deadLetters = await _sql.ScalarAsync($"SELECT count() FROM {_database}.dead_letters WHERE kafka_topic = '{_topic}'");
        Assert.Equal(135, events[0].GetProperty("rows").GetInt64());
        Assert.Equal(135, events[0].GetProperty("offsets").GetInt64());
        Assert.Equal(2, events[0].GetProperty("months").GetInt64());
        Assert.Equal(15, deadLetters);

        async Task ReleaseAsync()
        {
            held.Release.SetResult();
            await previousWrite.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public async Task DisposeAsync()
    {
        _sql?.Dispose();
        if (_services is not null) await _services.DisposeAsync();
        if (_clickHouse is not null) await _clickHouse.DisposeAsync();
    }

    private EventArchiver Archiver(IAnalyticsSink sink) => new(
        sink,
        _ledger,
        Options.Create(new ArchiveOptions()),
        new PipelineMetrics(_services.GetRequiredService<IMeterFactory>()),
        TimeProvider.System,
        NullLogger<EventArchiver>.Instance);

    /// <summary>Well-formed records of offsets first..last except every tenth; the first half in January, the rest in February.</summary>
    private List<RawEventRow> Events(long first, long last) =>
        Offsets(first, last).Where(o => o % 10 != 0).Select(o => new RawEventRow
        {
            Timestamp = new DateTime(2026, o < 50 ? 1 : 2, 15, 12, 0, 0, DateTimeKind.Utc),
            Page = "/handover",
            Event = "page_view",
            KafkaTopic = _topic,
            KafkaPartition = Partition,
            KafkaOffset = o,
            IngestedAt = DateTime.UtcNow,
        }).ToList();

    private List<DeadLetterRow> DeadLetters(long first, long last) =>
        Offsets(first, last).Where(o => o % 10 == 0).Select(o => new DeadLetterRow
        {
            ReceivedAt = DateTime.UtcNow,
            KafkaTopic = _topic,
            KafkaPartition = Partition,
            KafkaOffset = o,
            Reason = "not json",
            Raw = new byte[] { 0x7b },
        }).ToList();

    private static IEnumerable<long> Offsets(long first, long last) =>
        Enumerable.Range(0, (int)(last - first + 1)).Select(i => first + i);
}
