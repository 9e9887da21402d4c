using Analytics.Contracts.Events;
using Analytics.Grains;
using Analytics.Grains.Windows;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit;
using static Analytics.UnitTests.Windows.WindowTestKit;

namespace Analytics.UnitTests.Windows;

/// <summary>
/// Effectively once across a crash: the persisted state (through the Orleans serializer the grain storage uses) plus
/// a redelivery from an earlier Kafka offset gives exactly the counts of a run that never crashed.
/// </summary>
public sealed class PageWindowsRecoveryTests
{
    private static readonly Serializer<PageWindowState> Serializer = new ServiceCollection()
        .AddSerializer(b => b.AddAssembly(typeof(PageWindowState).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer<PageWindowState>>();

    private static PageWindowState Persisted(PageWindowState state) => Serializer.Deserialize(Serializer.SerializeToArray(state))!;

    /// <summary>Two partitions, three minutes, several visitors and types, one late event after the first minute closed.</summary>
    private static List<(AnalyticsEvent[] Batch, DateTime? Watermark, DateTime Now)> Traffic()
    {
        var batches = new List<(AnalyticsEvent[], DateTime?, DateTime)>();
        long p0 = 0, p1 = 0;
        for (var second = 0; second < 150; second += 10)
        {
            var t = Minute(0).AddSeconds(second);
            batches.Add((
            [
                View(t, p0++, $"u{second % 40}", partition: 0),
                Event(t.AddSeconds(1), p1++, second % 20 == 0 ? "click" : "page_view", $"v{second % 30}", partition: 1),
                View(t.AddSeconds(2), p0++, "", partition: 0),
            ], t.AddSeconds(-10), t.AddSeconds(3)));
        }
        batches.Add(([View(Minute(0).AddSeconds(30), p1++, "straggler", partition: 1)], Minute(2).AddSeconds(10), Minute(2).AddSeconds(31)));
        return batches;
    }

    private static void Run(PageWindows windows, IEnumerable<(AnalyticsEvent[] Batch, DateTime? Watermark, DateTime Now)> batches)
    {
        foreach (var (batch, watermark, now) in batches)
        {
            windows.Apply(batch, watermark, now);
            windows.CloseDue(watermark, now);
        }
    }

    private static object Summary(PageWindowState s) => new
    {
        Open = string.Join(";", s.Open.Select(w => $"{w.Minute:O}/{w.Views}/{w.Visitors.Count}/{w.Events}/{string.Join(",", w.EventsByType.OrderBy(p => p.Key, StringComparer.Ordinal))}")),
        Pending = string.Join(";", s.PendingRollups.Select(p => $"{p.Rollup.Minute:O}/{p.Rollup.Views}/{p.Rollup.UniqueVisitors}/{p.Rollup.Events}/{p.Rollup.LateEvents}/v{p.Rollup.Version}")),
        Recent = string.Join(";", s.Recent.Select(r => $"{r.Minute:O}/{r.Views}/{r.UniqueVisitors}/{r.LateEvents}")),
        Late = string.Join(";", s.PendingLateEvents.Select(l => $"{l.Event.Partition}:{l.Event.Offset}")),
        s.TotalEvents,
        s.TotalLateEvents,
        s.ClosedThrough,
        s.Watermark,
        Offsets = string.Join(";", s.AppliedOffsets.OrderBy(p => p.Key).Select(p => $"{p.Key}:{p.Value}")),
    };

    [Fact]
    public void PersistedState_RoundTripsThroughTheGrainSerializer()
    {
        var windows = NewWindows();
        Run(windows, Traffic());

        var restored = Persisted(windows.State);

        Assert.Equal(Summary(windows.State), Summary(restored));
    }

    [Fact]
    public void CrashAfterAnyBatch_AndRedeliveryFromTheStart_CountsEveryEventExactlyOnce()
    {
        var traffic = Traffic();
        var reference = NewWindows();
        Run(reference, traffic);

        for (var crashAfter = 0; crashAfter < traffic.Count; crashAfter++)
        {
            var beforeCrash = NewWindows();
            Run(beforeCrash, traffic.Take(crashAfter));
            var durable = Persisted(beforeCrash.State);
            Run(beforeCrash, traffic.Skip(crashAfter).Take(1)); // applied, never persisted: lost in the crash

            var recovered = new PageWindows(Page, durable, new PipelineOptions());
            Run(recovered, traffic); // Kafka redelivers from the committed offset, here the very beginning

            Assert.Equal(Summary(reference.State), Summary(recovered.State));
        }
    }

    [Fact]
    public void ReferenceTraffic_GivesTheExpectedRollups()
    {
        var windows = NewWindows();

        Run(windows, Traffic());

        var first = windows.State.PendingRollups.Single(p => p.Rollup.Minute == Minute(0)).Rollup;
        // Minute 0: six batches of three events; clicks at 0, 20, 40 s; visitors u0, u10, u20, u30 and v10, v0, v20.
        Assert.Equal((15L, 18L, 7L, 1L, 2UL), (first.Views, first.Events, first.UniqueVisitors, first.LateEvents, first.Version));
        Assert.Equal(new Dictionary<string, long> { ["page_view"] = 15, ["click"] = 3 }, first.EventsByType);
        Assert.Equal(1, windows.State.TotalLateEvents);
        Assert.Equal(46, windows.State.TotalEvents);
    }
}
