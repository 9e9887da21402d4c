using Analytics.IntegrationTests.Infrastructure;
using Analytics.LoadGenerator;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// Steady traffic for a durability test, produced in-process by the load generator's <see cref="LoadRunner"/>
/// (acks=all, idempotent producer) at a modest rate. Its <see cref="SendRecord"/> is the exact record of what Kafka
/// acknowledged: the totals ClickHouse must end up with. No late events are sent, so every page view is on time
/// unless the pipeline itself makes it late (by recovering slower than the allowed lateness).
/// </summary>
public sealed class SteadyLoad : IDisposable
{
    private readonly LoadRunner runner;
    private readonly CancellationTokenSource stop = new();
    private readonly StringWriter log = new();

    private SteadyLoad(LoadGeneratorOptions options)
    {
        Options = options;
        StartedAt = DateTime.UtcNow;
        runner = new LoadRunner(options, TimeProvider.System, log);
        Completion = Task.Run(() => runner.RunAsync(stop.Token));
    }

    public LoadGeneratorOptions Options { get; }

    /// <summary>When sending started (UTC).</summary>
    public DateTime StartedAt { get; }

    /// <summary>Completes with the send record once the duration is over and every message is acknowledged.</summary>
    public Task<SendRecord> Completion { get; }

    /// <summary>Messages Kafka acknowledged so far.</summary>
    public long Delivered => runner.Recorder.Delivered;

    /// <summary>What the producer reported (client errors), for failure messages.</summary>
    public string Log => log.ToString();

    /// <summary>Starts sending <paramref name="rate"/> events per second to the environment's topic until <see cref="StopAsync"/>.</summary>
    public static SteadyLoad Start(DurabilityEnvironment environment, double rate, int seed) => new(new LoadGeneratorOptions
    {
        BootstrapServers = environment.Kafka.BootstrapServers,
        Topic = environment.Topic,
        Rate = rate,
        Duration = TimeSpan.Zero, // until stopped
        Pages = 40,
        Users = 2_000,
        Sessions = 200,
        MalformedShare = 0.02,
        LateShare = 0,
        EventMix = 0.1,
        Seed = seed,
        RunId = environment.Topic,
        PagePrefix = "/dur",
        Quiet = true,
        FlushTimeout = TimeSpan.FromSeconds(60),
    });

    /// <summary>Keeps the load running until <paramref name="count"/> more messages were acknowledged (bounded).</summary>
    public Task SendMoreAsync(long count)
    {
        var target = Delivered + count;
        return Eventually.WaitAsync(() => Task.FromResult(Delivered >= target || Completion.IsCompleted),
            TimeSpan.FromSeconds(10 + (2 * count / Options.Rate)), $"{count} more messages to be acknowledged by Kafka");
    }

    /// <summary>Stops sending, waits until every message sent is acknowledged (bounded) and returns the record.</summary>
    public async Task<SendRecord> StopAsync()
    {
        await stop.CancelAsync();
        var record = await Completion.WaitAsync(TimeSpan.FromSeconds(90));
        if (record.Totals.Failed > 0 || record.Totals.Unconfirmed > 0)
        {
            throw new InvalidOperationException(
                $"The producer lost messages (failed {record.Totals.Failed}, unconfirmed {record.Totals.Unconfirmed}): {Log}");
        }

        return record;
    }

    /// <summary>Stops sending early (only used when a test fails halfway).</summary>
    public void Dispose()
    {
        stop.Cancel();
        try
        {
            Completion.Wait(TimeSpan.FromSeconds(70));
        }
        catch (AggregateException)
        {
            // the test is failing already; its own error is the one reported
        }

        stop.Dispose();
        log.Dispose();
    }
}
