using System.Globalization;
using System.Text.Json;
using Analytics.LoadGenerator;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public sealed class LoadRunnerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 22, 9, 58, 30, TimeSpan.Zero);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "loadgen-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static LoadGeneratorOptions Options(long count) => new()
    {
        Rate = 0,
        Duration = TimeSpan.Zero,
        Count = count,
        Pages = 30,
        Users = 500,
        Sessions = 40,
        LateShare = 0.03,
        MalformedShare = 0.02,
        Seed = 99,
        RunId = "unit-run",
        PagePrefix = "/unit",
        Quiet = true,
    };

    [Fact]
    public async Task CountedRun_SendsExactlyCountEvents_InOrder()
    {
        using var sink = new InMemoryEventSink();
        var runner = new LoadRunner(Options(5_000), new FakeTimeProvider(Start), log: null);

        var record = await runner.RunAsync(sink, CancellationToken.None);

        Assert.Equal(5_000, sink.Events.Count);
        Assert.Equal(Enumerable.Range(1, 5_000).Select(i => (long)i), sink.Events.Select(e => e.Sequence));
        Assert.Equal(5_000, record.Totals.Sent);
        Assert.Equal(5_000, record.Totals.Delivered);
        Assert.Equal(0, record.Totals.Unconfirmed);
        Assert.Equal("unit-run", record.RunId);
        Assert.Equal(99, record.Seed);
    }

    [Fact]
    public async Task Record_EqualsAnIndependentCountOfTheDeliveredPayloads()
    {
        // Every clock reading moves time on by 20 ms, so the run spans several minutes of event time.
        var clock = new FakeTimeProvider(Start) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(20) };
        using var sink = new InMemoryEventSink { FailWhen = e => e.Sequence % 7 == 0 };
        var runner = new LoadRunner(Options(20_000), clock, log: null);

        var record = await runner.RunAsync(sink, CancellationToken.None);

        var delivered = sink.Events.Where(e => e.Sequence % 7 != 0).ToList();
        var expected = Recount(delivered.Select(e => e.Payload), Start.UtcDateTime, lateCutoff: TimeSpan.FromSeconds(30));
        Assert.True(record.PageMinutes.Select(p => p.Minute).Distinct().Count() >= 5, "the run should cover several minutes");
        Assert.Equal(expected.PageMinutes, record.PageMinutes);
        Assert.Equal(expected.Late, record.Totals.Late);
        Assert.Equal(expected.Malformed, record.Totals.Malformed);
        Assert.Equal(expected.Other, record.Totals.OtherEvents);
        Assert.Equal(delivered.Count, record.Totals.Delivered);
        Assert.Equal(sink.Events.Count - delivered.Count, record.Totals.Failed);
        Assert.Equal(record.Totals.Delivered, record.Totals.PageViewsOnTime + record.Totals.OtherEvents + record.Totals.Late + record.Totals.Malformed);
        Assert.Equal(record.Totals.PageViewsOnTime, record.PageMinutes.Sum(p => p.Views));
        Assert.Equal(new Dictionary<string, long> { ["simulated"] = record.Totals.Failed }, record.FailuresByReason);
    }

    [Fact]
    public async Task SameSeed_ProducesTheSameEvents()
    {
        using var first = new InMemoryEventSink();
        using var second = new InMemoryEventSink();

        await new LoadRunner(Options(2_000), new FakeTimeProvider(Start), null).RunAsync(first, CancellationToken.None);
        await new LoadRunner(Options(2_000), new FakeTimeProvider(Start), null).RunAsync(second, CancellationToken.None);

        Assert.Equal(first.Events.Select(e => e.Payload), second.Events.Select(e => e.Payload));
    }

    [Fact]
    public async Task Cancellation_StopsSending_AndStillWritesTheRecord()
    {
        using var stop = new CancellationTokenSource();
        using var sink = new InMemoryEventSink
        {
            FailWhen = e =>
            {
                if (e.Sequence == 3_000)
                {
                    stop.Cancel();
                }

                return false;
            },
        };
        var path = Path.Combine(_directory, "nested", "record.json");
        var options = Options(1) with { Count = null, RecordPath = path };

        var record = await new LoadRunner(options, new FakeTimeProvider(Start), null).RunAsync(sink, stop.Token);

        Assert.InRange(record.Totals.Sent, 3_000, 3_000 + 1024);
        Assert.Equal(sink.Events.Count, record.Totals.Sent);
        var written = await SendRecord.ReadAsync(path);
        Assert.Equal(record.ToJson(), written.ToJson());
    }

    [Fact]
    public async Task InvalidOptions_AreRejected_NamingTheOption()
    {
        using var sink = new InMemoryEventSink();
        var runner = new LoadRunner(Options(10) with { LateShare = 2 }, new FakeTimeProvider(Start), null);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => runner.RunAsync(sink, CancellationToken.None));

        Assert.Contains("--late-share", error.Message, StringComparison.Ordinal);
        Assert.Empty(sink.Events);
    }

    [Fact]
    public async Task ProgressLines_GoToTheLog_OncePerInterval()
    {
        var clock = new FakeTimeProvider(Start);
        using var log = new StringWriter(CultureInfo.InvariantCulture);
        using var stop = new CancellationTokenSource();
        using var sink = new InMemoryEventSink
        {
            FailWhen = e =>
            {
                // Time only moves when the test says so: one second after every 1,000 sent events; stop after 3,000.
                if (e.Sequence % 1_000 == 1 && e.Sequence > 1)
                {
                    clock.Advance(TimeSpan.FromSeconds(1));
                }

                if (e.Sequence == 3_001)
                {
                    stop.Cancel();
                }

                return false;
            },
        };
        var options = Options(1) with { Count = null, Quiet = false };

        await new LoadRunner(options, clock, TextWriter.Synchronized(log)).RunAsync(sink, stop.Token);

        var lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        var progress = lines.Where(l => l.Contains("sent/s", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, progress.Count);
        Assert.Contains("1,000 sent/s", progress[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("done: run unit-run", StringComparison.Ordinal));
    }

    /// <summary>Counts payloads the way a consumer would, without the generator's metadata.</summary>
    private static (List<PageMinuteCount> PageMinutes, long Late, long Malformed, long Other) Recount(
        IEnumerable<byte[]> payloads, DateTime runStart, TimeSpan lateCutoff)
    {
        var perMinute = new Dictionary<(string Page, DateTime Minute), (long Views, HashSet<string> Users)>();
        long late = 0, malformed = 0, other = 0;
        var newest = runStart;
        foreach (var payload in payloads)
        {
            if (!TryRead(payload, out var type, out var page, out var user, out var timestamp))
            {
                malformed++;
                continue;
            }

            // A late event carries a timestamp far behind the newest one seen so far (a watermark).
            if (timestamp < newest - lateCutoff)
            {
                late++;
                continue;
            }

            newest = timestamp > newest ? timestamp : newest;

            if (type != "page_view")
            {
                other++;
                continue;
            }

            var key = (page, new DateTime(timestamp.Ticks - (timestamp.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc));
            if (!perMinute.TryGetValue(key, out var value))
            {
                value = (0, []);
            }

            value.Users.Add(user);
            perMinute[key] = (value.Views + 1, value.Users);
        }

        var rows = perMinute
            .OrderBy(p => p.Key.Minute).ThenBy(p => p.Key.Page, StringComparer.Ordinal)
            .Select(p => new PageMinuteCount(p.Key.Page, p.Key.Minute, p.Value.Views, p.Value.Users.Count))
            .ToList();
        return (rows, late, malformed, other);
    }

    private static bool TryRead(byte[] payload, out string type, out string page, out string user, out DateTime timestamp)
    {
        type = page = user = "";
        timestamp = default;
        if (payload.Length > 64 * 1024)
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("page", out var p) || p.ValueKind != JsonValueKind.String || p.GetString()!.Length == 0
                || !root.TryGetProperty("timestamp", out var t) || t.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            {
                return false;
            }

            type = root.GetProperty("event").GetString()!;
            page = p.GetString()!;
            user = root.GetProperty("user_id").GetString()!;
            timestamp = time.UtcDateTime;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
