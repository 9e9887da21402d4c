using System.Diagnostics;
using Analytics.IntegrationTests.Infrastructure;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// Measures partition hand-over after a crash: from the SIGKILL of a silo until the surviving silo has received
/// records from every partition the dead silo was reading (its <c>kafka_records_consumed_total</c> for each of them
/// grew past the value it had at the kill). /metrics is polled every 100 ms, so the figure is good to about that,
/// plus the exporter's scrape cache.
/// </summary>
public static class HandOverClock
{
    /// <summary>The result: time to the first record of any moved partition, and to records of all of them.</summary>
    public sealed record Measurement(IReadOnlySet<int> Moved, TimeSpan FirstRecord, TimeSpan AllPartitions);

    /// <summary>
    /// Kills <paramref name="victim"/> and waits (at most <paramref name="timeout"/>) until <paramref name="survivor"/>
    /// consumes from every partition <paramref name="victimBefore"/> says the victim owned.
    /// </summary>
    public static async Task<Measurement> KillAndMeasureAsync(
        SiloProcess victim, SiloMetrics victimBefore, SiloProcess survivor, TimeSpan timeout)
    {
        var moved = victimBefore.OwnedPartitions;
        var baseline = await SiloMetrics.ScrapeAsync(survivor);
        var clock = Stopwatch.StartNew();
        await victim.KillAsync();
        TimeSpan? first = null;
        SiloMetrics now = baseline;
        while (clock.Elapsed < timeout)
        {
            now = await SiloMetrics.TryScrapeAsync(survivor) ?? now;
            var receiving = moved.Where(p => now.Consumed(p) > baseline.Consumed(p)).ToList();
            if (receiving.Count > 0) first ??= clock.Elapsed;
            if (receiving.Count == moved.Count) return new Measurement(moved, first ?? clock.Elapsed, clock.Elapsed);
            await Task.Delay(TimeSpan.FromMilliseconds(100)); // measurement resolution
        }

        throw new TimeoutException(
            $"{survivor.Name} did not take over partitions [{string.Join(',', moved)}] of killed {victim.Name} within {timeout.TotalSeconds} s; " +
            $"before: {baseline}; now: {now}. Log {survivor.LogPath}:{Environment.NewLine}{survivor.Tail}");
    }
}
