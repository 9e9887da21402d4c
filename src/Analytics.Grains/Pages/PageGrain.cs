using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Contracts.Flush;
using Analytics.Contracts.Pages;
using Analytics.Contracts.Queries;
using Analytics.Grains.Anomalies;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Flush;
using Analytics.Grains.Persistence;
using Analytics.Grains.Watermarks;
using Analytics.Grains.Windows;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Analytics.Grains.Pages;

/// <summary>
/// One page's event-time windows. Receives the page's events in batches (one call per batch of containers),
/// applies them, and completes delivery only once the state that includes them is durable, so the Kafka
/// offset is never committed ahead of it. Reentrant so that batches arriving during a state write share the
/// next write; every mutation runs without an await in between, so interleaving never splits one, and storage is
/// handed a copy of the state taken when the write starts (<see cref="SnapshotState{T}"/>).
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Page)]
[Reentrant]
public sealed partial class PageGrain : Grain, IPageGrain, IPageTrafficGrain, IAsyncBatchObserver<AnalyticsEvent>
{
    private readonly IPersistentState<PageWindowState> _state;
    private readonly DeepCopier<PageWindowState> _copier;
    private readonly WatermarkView _watermark;
    private readonly PipelineOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly LatencyRecorder _latency;
    private readonly TimeProvider _time;
    private readonly ILogger<PageGrain> _logger;
    private readonly CoalescingWriter _writer;
    private readonly AnomalyOptions _anomalyOptions;
    private readonly IAnomalySink[] _anomalySinks;
    private readonly Action<AnalyticsEvent> _recordRate;
    private SnapshotState<PageWindowState> _snapshots = null!;
    private PageWindows _windows = null!;
    private AnomalyMonitor? _anomalies;
    private bool _dirty;
    private bool _handingOver;

    /// <summary>Creates the grain.</summary>
    public PageGrain(
        [PersistentState("page", StorageNames.Pages)] IPersistentState<PageWindowState> state,
        WatermarkView watermark, IOptions<PipelineOptions> options, IOptions<AnomalyOptions> anomalyOptions,
        IEnumerable<IAnomalySink> anomalySinks, PipelineMetrics metrics, LatencyRecorder latency,
        TimeProvider time, ILogger<PageGrain> logger, DeepCopier<PageWindowState> copier)
    {
        _copier = copier;
        _anomalyOptions = anomalyOptions.Value;
        _anomalySinks = anomalySinks.ToArray();
        _recordRate = evt => _anomalies?.Record(evt.Timestamp);
        _state = state;
        _watermark = watermark;
        _options = options.Value;
        _metrics = metrics;
        _latency = latency;
        _time = time;
        _logger = logger;
        _writer = new CoalescingWriter(WriteStateAsync);
    }

    private string Page => this.GetPrimaryKeyString();

    // The state this activation works on; storage only ever gets copies of it.
    private PageWindowState State => _snapshots.Live;

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _snapshots = new SnapshotState<PageWindowState>(_state, _copier);
        _windows = new PageWindows(Page, State, _options);
        if (_anomalyOptions.Enabled) _anomalies = new AnomalyMonitor(_anomalyOptions, AnomalyScope.Page, Page, State.Anomaly);
        var stream = this.GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<AnalyticsEvent>(StreamId.Create(StreamNamespaces.Page, Page));
        await stream.SubscribeAsync(this);
        this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions(_options.FlushInterval, _options.FlushInterval) { Interleave = true });
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && _options.PersistState) await _writer.WriteAsync();
        await _writer.IdleAsync();
    }

    /// <inheritdoc />
    public Task OnNextAsync(IList<SequentialItem<AnalyticsEvent>> items)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var outcome = _windows.Apply(items.Select(i => i.Item), _watermark.Current, now, _recordRate);
        DetectAnomalies(now);
        if (outcome.Applied + outcome.Late > 0)
        {
            _dirty = true;
            _metrics.EventsProcessed.Add(outcome.Applied);
            if (outcome.Late > 0) _metrics.EventsLate.Add(outcome.Late);
            foreach (var item in items) _latency.Record((now - item.Item.ProducedAt).TotalMilliseconds);
        }
        if (outcome.Replayed > 0) _metrics.EventsReplayed.Add(outcome.Replayed);
        // Completing delivery means "durable": the pulling agent then lets the Kafka offset be committed.
        return _dirty && _options.PersistState ? _writer.WriteAsync() : Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(Page, ex);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<PageLiveState> GetLiveStateAsync() => Task.FromResult(_windows.Snapshot());

    /// <inheritdoc />
    public Task<WindowTotals[]> GetWindowTotalsAsync(DateTime[] fromMinutes) => Task.FromResult(_windows.Totals(fromMinutes));

    /// <inheritdoc />
    public Task AcknowledgeFlushedAsync(FlushedWindow[] flushed)
    {
        if (_windows.Acknowledge(flushed) > 0) _dirty = true;
        return Task.CompletedTask;
    }

    private async Task OnTickAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        if (_windows.CloseDue(_watermark.Current, now) > 0) _dirty = true;
        DetectAnomalies(now);
        if (!_handingOver) await HandOverAsync(now);
        if (_dirty && _options.PersistState) await _writer.WriteAsync();
    }

    /// <summary>Hands final rollups and late events to this page's flush grain.</summary>
    private async Task HandOverAsync(DateTime now)
    {
        var rollups = _windows.TakeRollupsToHandOver(now);
        var late = State.PendingLateEvents;
        if (rollups.Count == 0 && late.Count == 0) return;
        _handingOver = true;
        var lateBatch = late.ToArray();
        try
        {
            var shard = FlushShard.Of(Page, _options.FlushShards);
            await GrainFactory.GetGrain<IFlushGrain>(shard).EnqueueAsync(Page, rollups.ToArray(), lateBatch);
            // Accepted late events are in the flush grain's persisted state: they can leave this one.
            State.PendingLateEvents.RemoveRange(0, Math.Min(lateBatch.Length, State.PendingLateEvents.Count));
            _dirty = true;
        }
        catch (Exception ex)
        {
            // Rollups stay pending and are handed over again after FlushAckTimeout; late events stay queued.
            LogHandOverFailed(Page, ex);
        }
        finally
        {
            _handingOver = false;
        }
    }

    /// <summary>Completes the seconds that are over and hands any anomaly start or end to the sinks.</summary>
    private void DetectAnomalies(DateTime now)
    {
        if (_anomalies is null) return;
        foreach (var anomaly in _anomalies.AdvanceTo(now))
        {
            foreach (var sink in _anomalySinks) sink.Publish(anomaly);
        }
    }

    private async Task WriteStateAsync()
    {
        _dirty = false;
        if (_anomalies is not null) State.Anomaly = _anomalies.Snapshot();
        try
        {
            await _snapshots.WriteAsync();
            _metrics.StateWrites.Add(1);
            _metrics.StateSize.Record(StateItems(State));
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }

    private static long StateItems(PageWindowState s) =>
        s.Open.Sum(w => 1L + w.Visitors.Count + w.EventsByType.Count) + s.PendingRollups.Count + s.Recent.Count + s.PendingLateEvents.Count;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error on page {Page}.")]
    private partial void LogStreamError(string page, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handing rollups of page {Page} to its flush grain failed; will retry.")]
    private partial void LogHandOverFailed(string page, Exception ex);
}
