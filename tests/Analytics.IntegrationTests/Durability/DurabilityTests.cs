using System.Diagnostics;
using System.Globalization;
using Analytics.IntegrationTests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// Sequential: each test runs two silos plus Kafka, ClickHouse and PostgreSQL of its own, which is all a 2-core
/// machine can give; run in parallel they would starve each other's failure detectors.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityCollection
{
    public const string Name = "durability";
}

/// <summary>
/// Effectively once through real failures: silos are real processes (killed with SIGKILL or stopped with SIGTERM),
/// ClickHouse and PostgreSQL are stopped and restarted under load, and afterwards ClickHouse must hold exactly what
/// the producer got acknowledged: every on-time page view counted once in <c>page_views_1m</c>, every well-formed event
/// once in <c>page_views</c>, every malformed one once in <c>dead_letters</c>. The pipeline recovers by itself.
/// </summary>
/// <remarks>
/// Settings that matter (see <see cref="DurabilityEnvironment"/>): the product's default Pipeline:AllowedLateness
/// (10 s) and membership defaults (failure detection within 6 s): recovery after a crash must finish within the
/// lateness, or replayed events become late and leave the rollups (the totals check asserts none is late);
/// Pipeline:FlushAckTimeout 5 s; Pipeline:IdlePartitionTimeout 5 s, shorter than a recovery on purpose.
/// </remarks>
[Collection(DurabilityCollection.Name)]
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const double Rate = 800;

    // More events after the last disturbance healed, so the run ends with the pipeline back in steady state.
    private const long TailEvents = 4_000;

    [Fact]
    public async Task KillNine_OfOneSiloOfTwo_ThreeTimesUnderLoad_KeepsTotalsExact()
    {
        await using var run = await StartRunAsync("kill");
        var (clock, random, environment, load) = (run.Clock, run.Random, run.Environment, run.Load);

        var handOvers = new List<HandOverClock.Measurement>();
        for (var round = 1; round <= 3; round++)
        {
            var owners = await WaitForSteadyOwnershipAsync(environment);
            // A random moment, and a random victim among the silos that read partitions.
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 3_000)));
            var candidates = owners.Where(o => o.Value.OwnedPartitions.Count > 0).Select(o => o.Key).ToList();
            var victim = candidates[random.Next(candidates.Count)];
            var survivor = environment.Silos.Single(s => s != victim);
            var victimBefore = await SiloMetrics.ScrapeAsync(victim);
            var handOver = await HandOverClock.KillAndMeasureAsync(victim, victimBefore, survivor, TimeSpan.FromSeconds(60));
            handOvers.Add(handOver);
            Report($"round {round} at {clock.Elapsed.TotalSeconds:0.0} s: killed {victim.Name} ({victimBefore}); {survivor.Name} " +
                $"received records of moved partitions [{string.Join(',', handOver.Moved.Order())}] after {handOver.FirstRecord.TotalMilliseconds:0} ms (first), " +
                $"{handOver.AllPartitions.TotalMilliseconds:0} ms (all)");
            await victim.StartAsync();
            Report($"round {round}: {victim.Name} back after {victim.StartupTime.TotalSeconds:0.0} s start-up");
        }

        await WaitForSteadyOwnershipAsync(environment);
        await FinishWithExactTotalsAsync(run);
        var median = Median(handOvers.Select(h => h.AllPartitions));
        Report($"exact totals at {clock.Elapsed.TotalSeconds:0.0} s; hand-over after kill -9, median of {handOvers.Count}: {median.TotalMilliseconds:0} ms " +
            $"(all: {string.Join(", ", handOvers.Select(h => $"{h.AllPartitions.TotalMilliseconds:0}"))} ms)");
        environment.MarkPassed();
    }

    [Fact]
    public async Task RollingRestart_OfEverySilo_UnderLoad_KeepsTotalsExact()
    {
        await using var run = await StartRunAsync("rolling");
        var (clock, random, environment, load) = (run.Clock, run.Random, run.Environment, run.Load);

        foreach (var silo in environment.Silos)
        {
            await WaitForSteadyOwnershipAsync(environment);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(300, 3_000))); // a random moment
            var stopping = Stopwatch.StartNew();
            Assert.True(await silo.StopAsync(), $"{silo.Name} did not stop within a minute of SIGTERM. Log {silo.LogPath}:{Environment.NewLine}{silo.Tail}");
            Report($"{silo.Name} stopped gracefully in {stopping.Elapsed.TotalSeconds:0.0} s");
            var other = environment.Silos.Single(s => s != silo);
            await Eventually.WaitAsync(
                async () => (await SiloMetrics.TryScrapeAsync(other))?.OwnedPartitions.Count == DurabilityEnvironment.Partitions,
                TimeSpan.FromSeconds(60), $"{other.Name} to read every partition while {silo.Name} is down",
                async () => $"{await SiloMetrics.TryScrapeAsync(other)}{Environment.NewLine}{environment.DescribeSilos()}");
            Report($"{other.Name} reads every partition {stopping.Elapsed.TotalSeconds:0.0} s after the stop began");
            await silo.StartAsync();
            Report($"{silo.Name} back after {silo.StartupTime.TotalSeconds:0.0} s start-up");
        }

        await WaitForSteadyOwnershipAsync(environment);
        await FinishWithExactTotalsAsync(run);
        Report($"exact totals at {clock.Elapsed.TotalSeconds:0.0} s");
        environment.MarkPassed();
    }

    [Fact]
    public async Task ClickHouse_StoppedAndRestartedDuringAFlush_UnderLoad_KeepsTotalsExact()
    {
        await using var run = await StartRunAsync("ch-outage");
        var (clock, random, environment, load) = (run.Clock, run.Random, run.Environment, run.Load);
        await WaitForSteadyOwnershipAsync(environment);

        // The first complete rollups are flushed when the watermark passes the first minute boundary of the load,
        // about AllowedLateness after it: ClickHouse goes down shortly before that and stays down across the flush.
        // Raw events (page_views, dead_letters) are written every 250 ms throughout.
        var started = load.StartedAt;
        var boundary = new DateTime(started.Ticks - (started.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc).AddMinutes(1);
        var stopAt = boundary + DurabilityEnvironment.AllowedLateness - TimeSpan.FromMilliseconds(random.Next(0, 1_500));
        while (stopAt < DateTime.UtcNow + TimeSpan.FromSeconds(1)) stopAt = stopAt.AddMinutes(1);
        await Task.Delay(stopAt - DateTime.UtcNow); // the chosen moment, not a synchronisation
        var rollupsBefore = await environment.Sql.ScalarAsync($"SELECT count() FROM {environment.Database}.page_views_1m");
        await environment.ClickHouse.StopAsync();
        Report($"ClickHouse stopped at {clock.Elapsed.TotalSeconds:0.0} s ({rollupsBefore} rollup rows written before)");
        await load.SendMoreAsync((long)(Rate * 6)); // down for about six seconds of traffic
        await environment.ClickHouse.RestartAsync();
        Report($"ClickHouse restarted at {clock.Elapsed.TotalSeconds:0.0} s (start-up {environment.ClickHouse.StartupTime.TotalSeconds:0.0} s)");

        await FinishWithExactTotalsAsync(run);
        Report($"exact totals at {clock.Elapsed.TotalSeconds:0.0} s");
        environment.MarkPassed();
    }

    [Fact]
    public async Task Postgres_StoppedAndRestarted_UnderLoad_KeepsTotalsExact()
    {
        await using var run = await StartRunAsync("pg-outage");
        var (clock, random, environment, load) = (run.Clock, run.Random, run.Environment, run.Load);
        await WaitForSteadyOwnershipAsync(environment);

        await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1_000, 4_000))); // a random moment
        await environment.Postgres.StopAsync();
        Report($"PostgreSQL stopped at {clock.Elapsed.TotalSeconds:0.0} s");
        await load.SendMoreAsync((long)(Rate * 6)); // down for about six seconds of traffic
        await environment.Postgres.RestartAsync();
        Report($"PostgreSQL restarted at {clock.Elapsed.TotalSeconds:0.0} s");

        await FinishWithExactTotalsAsync(run);
        Assert.All(environment.Silos, s => Assert.True(s.IsRunning, $"{s.Name} died during the PostgreSQL outage:{Environment.NewLine}{s.Tail}"));
        Report($"exact totals at {clock.Elapsed.TotalSeconds:0.0} s");
        environment.MarkPassed();
    }

    /// <summary>
    /// Starts the run's environment (its own Kafka mock, ClickHouse, PostgreSQL and two silo processes) and steady load
    /// with a random seed, reported so a failure can be replayed.
    /// </summary>
    private async Task<Run> StartRunAsync(string name)
    {
        var clock = Stopwatch.StartNew();
        var seed = Environment.TickCount;
        var environment = await DurabilityEnvironment.StartAsync(name);
        try
        {
            Report($"environment up in {clock.Elapsed.TotalSeconds:0.0} s (seed {seed}); logs in {environment.LogDirectory}");
            return new Run(clock, new Random(seed), environment, SteadyLoad.Start(environment, Rate, seed));
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends the tail after the last disturbance, stops the load and asserts exact totals.</summary>
    private async Task FinishWithExactTotalsAsync(Run run)
    {
        await run.Load.SendMoreAsync(TailEvents);
        var record = await run.Load.StopAsync();
        Report($"load stopped at {run.Clock.Elapsed.TotalSeconds:0.0} s: {record.Totals.Delivered} messages in {record.SendSeconds:0.0} s");
        await ExactTotals.AssertAsync(run.Environment, record);
    }

    /// <summary>
    /// Waits until every partition is read by exactly one running silo (the queue balancer has settled), and returns
    /// each silo's metrics.
    /// </summary>
    private static async Task<Dictionary<SiloProcess, SiloMetrics>> WaitForSteadyOwnershipAsync(DurabilityEnvironment environment)
    {
        var owners = new Dictionary<SiloProcess, SiloMetrics>();
        await Eventually.WaitAsync(
            async () =>
            {
                owners.Clear();
                foreach (var silo in environment.Silos)
                {
                    if (await SiloMetrics.TryScrapeAsync(silo) is { } metrics) owners[silo] = metrics;
                }

                var owned = owners.Values.SelectMany(m => m.OwnedPartitions).ToList();
                return owners.Count == environment.Silos.Count
                    && owned.Count == DurabilityEnvironment.Partitions
                    && owned.Distinct().Count() == DurabilityEnvironment.Partitions;
            },
            TimeSpan.FromSeconds(90),
            "every partition to be read by exactly one silo",
            () => Task.FromResult(string.Join("; ", owners.Select(o => $"{o.Key.Name}: {o.Value}")) + Environment.NewLine + environment.DescribeSilos()));
        return owners;
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private void Report(string line)
    {
        var stamped = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} {line}");
        output.WriteLine(stamped);
        Console.Error.WriteLine(stamped);
    }

    /// <summary>One test's environment and load, disposed load first.</summary>
    private sealed record Run(Stopwatch Clock, Random Random, DurabilityEnvironment Environment, SteadyLoad Load) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Load.Dispose();
            await Environment.DisposeAsync();
        }
    }
}
