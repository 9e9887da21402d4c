using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Analytics.Contracts.Anomalies;
using Analytics.Grains.Anomalies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.UnitTests.Anomalies.Publishing;

/// <summary>Builders and fakes shared by the publishing tests.</summary>
internal static class PublishingTestKit
{
    public static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    public static AnomalyPublishingMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    public static AnomalyStarted Started(string page = "/docs", int second = 0, double rate = 250) => new()
    {
        IncidentId = $"page:{T0.AddSeconds(second):yyyyMMdd'T'HHmmss'Z'}:{page}",
        Scope = AnomalyScope.Page,
        Page = page,
        Direction = AnomalyDirection.Spike,
        StartedAt = T0.AddSeconds(second),
        DetectedAt = T0.AddSeconds(second + 2),
        ObservedRate = rate,
        BaselineMean = 50,
        BaselineStdDev = 7.5,
        ZScore = 26.7,
    };

    public static AnomalyEnded Ended(AnomalyStarted started, int seconds = 20) => new()
    {
        IncidentId = started.IncidentId,
        Scope = started.Scope,
        Page = started.Page,
        Direction = started.Direction,
        StartedAt = started.StartedAt,
        DetectedAt = started.StartedAt.AddSeconds(seconds + 6),
        EndedAt = started.StartedAt.AddSeconds(seconds),
        PeakRate = 260,
        PeakZScore = 28.1,
    };

    public static AnomalyNotification Notification(AnomalyEvent anomaly) => AnomalyNotifications.From(anomaly);

    public static AnomalyPublishingOptions Options(Action<AnomalyPublishingOptions>? configure = null)
    {
        var options = new AnomalyPublishingOptions
        {
            SweepInterval = TimeSpan.FromMilliseconds(100),
            RetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(100),
            LeaseDuration = TimeSpan.FromSeconds(30),
        };
        configure?.Invoke(options);
        return options;
    }

    public static AnomalyPublisher Publisher(IAnomalyOutboxGrain outbox, AnomalyPublishingOptions options, params IAnomalyTarget[] targets) =>
        new(() => outbox, targets, Microsoft.Extensions.Options.Options.Create(options), Metrics(), TimeProvider.System, NullLogger<AnomalyPublisher>.Instance);

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}

/// <summary>An in-process outbox: the feed grain's logic behind a lock, with injectable failures.</summary>
internal sealed class FakeOutbox(AnomalyPublishingOptions options, TimeProvider? time = null) : IAnomalyOutboxGrain
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public AnomalyFeedState State { get; } = new();

    public AnomalyLedger Ledger => _ledger ??= new AnomalyLedger(State, options);

    private AnomalyLedger? _ledger;

    /// <summary>How many of the next claims throw, as an unreachable grain would.</summary>
    public int FailClaims { get; set; }

    public int Claims { get; private set; }

    public Task<AnomalyDelivery[]> ClaimAsync(AnomalyNotification[] notifications, string claimant, TimeSpan lease)
    {
        lock (_gate)
        {
            Claims++;
            if (FailClaims > 0)
            {
                FailClaims--;
                throw new TimeoutException("feed grain unreachable");
            }

            return Task.FromResult(Ledger.Claim(notifications, claimant, Now, lease).Deliveries.ToArray());
        }
    }

    public Task CompleteAsync(string claimant, AnomalyDeliveryResult[] results)
    {
        lock (_gate)
        {
            Ledger.Complete(claimant, results, Now);
            return Task.CompletedTask;
        }
    }

    public Task RenewAsync(string claimant, string[] keys, TimeSpan lease)
    {
        lock (_gate)
        {
            Ledger.Renew(claimant, keys, Now, lease);
            return Task.CompletedTask;
        }
    }

    public int PendingCount
    {
        get
        {
            lock (_gate)
            {
                return Ledger.PendingCount;
            }
        }
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;
}

/// <summary>A target that records what it was given and fails on demand.</summary>
internal sealed class RecordingTarget(AnomalyTargets target, bool enabled = true) : IAnomalyTarget
{
    public AnomalyTargets Target { get; } = target;

    public bool IsEnabled { get; } = enabled;

    /// <summary>Decides per delivery whether this attempt fails (default: never).</summary>
    public Func<AnomalyDelivery, bool> Fails { get; set; } = _ => false;

    /// <summary>Runs before each call (e.g. to block).</summary>
    public Func<Task> Before { get; set; } = () => Task.CompletedTask;

    public ConcurrentQueue<AnomalyDelivery> Attempts { get; } = new();

    public ConcurrentQueue<AnomalyNotification> Delivered { get; } = new();

    public async Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken)
    {
        await Before();
        var done = new bool[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            Attempts.Enqueue(deliveries[i]);
            if (!Fails(deliveries[i]))
            {
                Delivered.Enqueue(deliveries[i].Notification);
                done[i] = true;
            }
        }

        return done;
    }

    public string[] DeliveredKeys() => [.. Delivered.Select(AnomalyNotifications.KeyOf)];
}
