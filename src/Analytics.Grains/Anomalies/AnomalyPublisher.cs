using System.Collections.Concurrent;
using System.Threading.Channels;
using Analytics.Contracts.Anomalies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Publishes every anomaly start and end detected on this silo, exactly once per incident: a row in ClickHouse,
/// a JSON message on Kafka, a notification on the Orleans stream and in the feed grain, and webhook calls.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Publish"/> never blocks: it queues (bounded by <see cref="AnomalyPublishingOptions.QueueCapacity"/>)
/// for the background loop, which takes up to <see cref="AnomalyPublishingOptions.BatchSize"/> at a time and
/// claims them from the outbox (<see cref="IAnomalyOutboxGrain"/>, the feed grain). The claim drops what was
/// published before (a replay or re-activation re-detects an incident under the same id) and appends the rest to
/// the feed. Each claimed delivery goes to every target that still needs it, ClickHouse, Kafka and the stream
/// concurrently; the outcome is reported back, and failed targets are retried later by whichever silo sweeps
/// first (every <see cref="AnomalyPublishingOptions.SweepInterval"/>). Webhooks, which may retry for a while, run
/// after that without holding up the next batch, with their leases renewed meanwhile.
/// </para>
/// <para>
/// Exactly once holds as long as a publisher does not die between a target accepting a notification and the
/// outbox hearing of it; then another silo takes the delivery over when the lease ends and that target sees it
/// twice (ClickHouse absorbs it: same key and version; Kafka and webhook receivers can deduplicate on the
/// notification id, the stream's subscribers on incident id and kind).
/// </para>
/// </remarks>
public sealed partial class AnomalyPublisher : BackgroundService, IAnomalySink
{
    /// <summary>How many delivery batches (ClickHouse, Kafka, stream) run at once.</summary>
    public const int MaxConcurrentBatches = 4;

    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinLease = TimeSpan.FromSeconds(10);

    private readonly Func<IAnomalyOutboxGrain> _outbox;
    private readonly IAnomalyTarget[] _targets;
    private readonly AnomalyPublishingOptions _options;
    private readonly AnomalyPublishingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AnomalyPublisher> _logger;
    private readonly Channel<AnomalyNotification> _queue;
    private readonly List<AnomalyNotification> _unclaimed = [];
    private readonly ConcurrentDictionary<string, byte> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly SemaphoreSlim _batchSlots = new(MaxConcurrentBatches);
    private readonly CancellationTokenSource _abort = new();
    private readonly string _claimant = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    /// <summary>Creates the publisher of a silo.</summary>
    public AnomalyPublisher(
        IGrainFactory grains,
        IEnumerable<IAnomalyTarget> targets,
        IOptions<AnomalyPublishingOptions> options,
        AnomalyPublishingMetrics metrics,
        TimeProvider time,
        ILogger<AnomalyPublisher> logger)
        : this(() => grains.GetGrain<IAnomalyOutboxGrain>(0), targets, options, metrics, time, logger)
    {
    }

    /// <summary>Creates a publisher over any outbox (tests).</summary>
    internal AnomalyPublisher(
        Func<IAnomalyOutboxGrain> outbox,
        IEnumerable<IAnomalyTarget> targets,
        IOptions<AnomalyPublishingOptions> options,
        AnomalyPublishingMetrics metrics,
        TimeProvider time,
        ILogger<AnomalyPublisher> logger)
    {
        _outbox = outbox;
        _targets = targets.ToArray();
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<AnomalyNotification>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>The lease a claim asks for; renewed every third of it while a delivery runs.</summary>
    internal TimeSpan Lease => _options.LeaseDuration < MinLease ? MinLease : _options.LeaseDuration;

    /// <summary>Queues <paramref name="anomaly"/> for publishing; drops it (counted, logged) when the queue is full.</summary>
    public void Publish(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        if (!_options.Enabled)
        {
            return;
        }

        _metrics.Detected.Add(1);
        if (!_queue.Writer.TryWrite(AnomalyNotifications.From(anomaly)))
        {
            _metrics.Dropped.Add(1);
            LogDropped(anomaly.IncidentId, _options.QueueCapacity);
        }
    }

    /// <inheritdoc />
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _abort.Dispose();
        _batchSlots.Dispose();
        base.Dispose();
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        var renewals = RenewLeasesAsync(stoppingToken);
        var failures = 0;
        var nextSweep = _time.GetUtcNow();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var sweep = _time.GetUtcNow() >= nextSweep;
                if (_unclaimed.Count == 0 && !sweep)
                {
                    await WaitForWorkAsync(nextSweep - _time.GetUtcNow(), stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (sweep)
                {
                    nextSweep = _time.GetUtcNow() + _options.SweepInterval;
                }

                if (await ClaimAndDeliverAsync(stoppingToken).ConfigureAwait(false))
                {
                    failures = 0;
                    continue;
                }

                // The feed grain is unreachable (cluster starting, silo failing over): keep the batch and back off.
                var delay = RetryDelay(++failures);
                await Task.Delay(delay < _options.SweepInterval ? delay : _options.SweepInterval, _time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await ShutDownAsync(renewals).ConfigureAwait(false);
    }

    /// <summary>Moves queued notifications to the unclaimed batch, waiting at most <paramref name="wait"/> for the first.</summary>
    private async Task WaitForWorkAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        if (!TakeQueued() && wait > TimeSpan.Zero)
        {
            using var sweep = new CancellationTokenSource(wait, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, sweep.Token);
            try
            {
                if (!await _queue.Reader.WaitToReadAsync(linked.Token).ConfigureAwait(false))
                {
                    // The queue is closed (the host is stopping): nothing more comes, wait for the sweep or the stop.
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // Sweep time.
            }

            TakeQueued();
        }
    }

    private bool TakeQueued()
    {
        var took = false;
        while (_unclaimed.Count < _options.BatchSize && _queue.Reader.TryRead(out var notification))
        {
            _unclaimed.Add(notification);
            took = true;
        }

        return took;
    }

    /// <summary>Claims the unclaimed batch (plus whatever is due again) and starts delivering it. False if the claim failed.</summary>
    private async Task<bool> ClaimAndDeliverAsync(CancellationToken cancellationToken)
    {
        TakeQueued();
        AnomalyNotification[] batch = [.. _unclaimed];
        AnomalyDelivery[] claimed;
        try
        {
            claimed = await _outbox().ClaimAsync(batch, _claimant, Lease).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogClaimFailed(batch.Length, ex);
            return false;
        }

        _unclaimed.Clear();
        var batchKeys = batch.Select(AnomalyNotifications.KeyOf).ToHashSet(StringComparer.Ordinal);
        var fresh = claimed.Count(d => d.Attempt == 1 && batchKeys.Contains(d.Key));
        if (batch.Length > fresh)
        {
            _metrics.Duplicates.Add(batch.Length - fresh);
            LogDuplicates(batch.Length - fresh);
        }

        // A delivery still running here (a slow webhook whose lease renewal failed) is not started twice.
        var deliveries = claimed.Where(d => _inFlight.TryAdd(d.Key, 0)).ToList();
        if (deliveries.Count == 0)
        {
            return true;
        }

        await _batchSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        var task = DeliverAsync(deliveries);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return true;
    }

    /// <summary>Delivers one claimed batch to every target that still needs it and reports the outcome.</summary>
    private async Task DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries)
    {
        var token = _abort.Token;
        var webhooks = _targets.FirstOrDefault(t => t.Target == AnomalyTargets.Webhooks && t.IsEnabled);
        var webhooksDue = webhooks is not null && deliveries.Any(d => d.Targets.HasFlag(AnomalyTargets.Webhooks));
        try
        {
            var delivered = new AnomalyTargets[deliveries.Count];
            var fast = _targets.Where(t => t != webhooks).Select(t => DeliverToAsync(t, deliveries, delivered, token));
            await Task.WhenAll(fast).ConfigureAwait(false);
            if (webhooks is null)
            {
                for (var i = 0; i < delivered.Length; i++)
                {
                    delivered[i] |= AnomalyTargets.Webhooks;
                }
            }

            // While webhooks still run for a delivery, its lease is kept (not released for a retry), so no other
            // silo takes it over meanwhile; the webhook outcome then sets the retry time.
            await CompleteAsync(deliveries, delivered, keepLease: d => webhooksDue && d.Targets.HasFlag(AnomalyTargets.Webhooks)).ConfigureAwait(false);
        }
        finally
        {
            _batchSlots.Release();
        }

        try
        {
            if (webhooksDue)
            {
                var delivered = new AnomalyTargets[deliveries.Count];
                await DeliverToAsync(webhooks!, deliveries, delivered, token).ConfigureAwait(false);
                await CompleteAsync(deliveries, delivered, keepLease: _ => false).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var delivery in deliveries)
            {
                _inFlight.TryRemove(delivery.Key, out _);
            }
        }
    }

    /// <summary>Delivers to one target what needs it; marks the successes in <paramref name="delivered"/>.</summary>
    private async Task DeliverToAsync(IAnomalyTarget target, IReadOnlyList<AnomalyDelivery> deliveries, AnomalyTargets[] delivered, CancellationToken cancellationToken)
    {
        var due = new List<int>();
        for (var i = 0; i < deliveries.Count; i++)
        {
            if (deliveries[i].Targets.HasFlag(target.Target))
            {
                due.Add(i);
            }
        }

        if (due.Count == 0)
        {
            return;
        }

        if (!target.IsEnabled)
        {
            foreach (var i in due)
            {
                delivered[i] |= target.Target;
            }

            return;
        }

        bool[] done;
        try
        {
            done = await target.DeliverAsync([.. due.Select(i => deliveries[i])], cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTargetFailed(target.Target, due.Count, ex);
            done = new bool[due.Count];
        }
        catch (OperationCanceledException)
        {
            done = new bool[due.Count];
        }

        var tag = new KeyValuePair<string, object?>("target", target.Target.ToString());
        var ok = 0;
        for (var j = 0; j < due.Count; j++)
        {
            if (j < done.Length && done[j])
            {
                delivered[due[j]] |= target.Target;
                ok++;
            }
        }

        _metrics.Delivered.Add(ok, tag);
        if (ok < due.Count)
        {
            _metrics.Failed.Add(due.Count - ok, tag);
        }
    }

    /// <summary>Reports outcomes to the outbox, retrying a few times; if it stays unreachable the leases run out instead.</summary>
    private async Task CompleteAsync(IReadOnlyList<AnomalyDelivery> deliveries, AnomalyTargets[] delivered, Func<AnomalyDelivery, bool> keepLease)
    {
        var results = deliveries
            .Select((d, i) => new AnomalyDeliveryResult(d.Key, delivered[i], keepLease(d) ? Lease : RetryDelay(d.Attempt)))
            .ToArray();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _outbox().CompleteAsync(_claimant, results).WaitAsync(_abort.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (attempt < 5 && !_abort.IsCancellationRequested)
            {
                LogCompleteFailed(results.Length, ex);
                await Task.Delay(RetryDelay(attempt), _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogCompleteFailed(results.Length, ex);
                return;
            }
        }
    }

    /// <summary>Renews the leases of deliveries still running here, every third of the lease.</summary>
    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Lease / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var keys = _inFlight.Keys.ToArray();
                if (keys.Length == 0)
                {
                    continue;
                }

                try
                {
                    await _outbox().RenewAsync(_claimant, keys, Lease).WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogRenewFailed(keys.Length, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Publishes what is still queued and lets running deliveries finish, for at most <see cref="ShutdownGrace"/>;
    /// then cancels them (their leases run out and another silo finishes them).
    /// </summary>
    private async Task ShutDownAsync(Task renewals)
    {
        using var grace = new CancellationTokenSource(ShutdownGrace);
        try
        {
            TakeQueued();
            while (_unclaimed.Count > 0 && !grace.IsCancellationRequested)
            {
                if (!await ClaimAndDeliverAsync(grace.Token).ConfigureAwait(false))
                {
                    break;
                }

                TakeQueued();
            }

            await Task.WhenAll(_running.Keys).WaitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogShutdownIncomplete(_inFlight.Count, _unclaimed.Count + _queue.Reader.Count);
        }
        finally
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            await renewals.ConfigureAwait(false);
        }
    }

    private TimeSpan RetryDelay(int attempt)
    {
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(Math.Max(attempt - 1, 0), 20));
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Anomaly {IncidentId} dropped: the publishing queue is full (Anomalies:Publishing:QueueCapacity = {Capacity}).")]
    private partial void LogDropped(string incidentId, int capacity);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} anomaly notification(s) were published before (re-detected incident) and are skipped.")]
    private partial void LogDuplicates(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming {Count} anomaly notification(s) from the feed grain failed; retrying.")]
    private partial void LogClaimFailed(int count, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivering {Count} anomaly notification(s) to {Target} failed; will retry.")]
    private partial void LogTargetFailed(AnomalyTargets target, int count, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting {Count} anomaly delivery outcome(s) to the feed grain failed.")]
    private partial void LogCompleteFailed(int count, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing the leases of {Count} anomaly deliveries failed.")]
    private partial void LogRenewFailed(int count, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shutting down with {InFlight} anomaly deliveries unfinished and {Queued} unclaimed; another silo finishes the claimed ones when their leases end.")]
    private partial void LogShutdownIncomplete(int inFlight, int queued);
}
