using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Flush;
using Analytics.Contracts.Pages;
using Analytics.Contracts;
using Analytics.Grains.Diagnostics;
using Analytics.Streaming.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Flush;

/// <summary>
/// Buffers rollups and late events handed over by page grains and writes each kind in one ClickHouse insert
/// per <see cref="PipelineOptions.FlushInterval"/>; then tells each page which minutes are stored. One flush in
/// flight at a time; a failed flush keeps its rows and is retried on the next tick. The buffer is bounded: when
/// ClickHouse is down long enough for it to fill, hand-overs are refused and the rows wait in page grain state.
/// </summary>
/// <remarks>
/// Rollups live in memory only: page grains keep them until acknowledged and hand them over again if this grain
/// dies. Late events are forgotten by the page grain once handed over, so they are persisted in grain state before
/// <see cref="EnqueueAsync"/> returns and written under a token fixed before the insert (<see cref="LateEventLedger"/>);
/// a new activation resumes with whatever its state holds.
/// </remarks>
public sealed partial class FlushGrain(
    [PersistentState("flush", StorageNames.Flush)] IPersistentState<FlushGrainState> state,
    IAnalyticsSink sink,
    IOptions<PipelineOptions> options,
    IOptionsMonitor<KafkaStreamOptions> kafkaOptions,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<FlushGrain> logger) : Grain, IFlushGrain
{
    private const int MaxBufferedRows = 200_000;
    private readonly Dictionary<(string Page, DateTime Minute), PageMinuteRollup> _rollups = new();
    private readonly string _topic = kafkaOptions.Get(StreamNamespaces.ProviderName).Topic;
    private LateEventLedger _late = null!;
    private long _shard;
    private bool _flushing;
    private int _consecutiveFailures;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Memory mode persists no grain state (see PipelineOptions.PersistState): there, as for page grains, a crash
        // loses what this activation holds.
        Func<Task> persist = options.Value.PersistState ? () => state.WriteStateAsync() : () => Task.CompletedTask;
        _late = new LateEventLedger(state.State, _topic, persist);
        _shard = this.GetPrimaryKeyLong();
        var held = _late.Count;
        if (held > 0) LogResuming(_shard, held);
        var period = options.Value.FlushInterval;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(period, period) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Last chance to write what was handed over; if this fails the page grains hand rollups over again and
        // late events stay in state for the next activation.
        if (_rollups.Count + _late.Count > 0) await FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task EnqueueAsync(string page, PageMinuteRollup[] rollups, LateEvent[] lateEvents)
    {
        if (_rollups.Count + _late.Count + rollups.Length + lateEvents.Length > MaxBufferedRows || !_late.HasRoomFor(lateEvents.Length))
            throw new InvalidOperationException($"Flush grain {_shard} is full ({_rollups.Count} rollups, {_late.Count} late events): ClickHouse is not keeping up.");
        foreach (var rollup in rollups)
        {
            var key = (rollup.Page, rollup.Minute);
            // Keep the newest version if the same minute is handed over twice before a flush.
            if (!_rollups.TryGetValue(key, out var known) || known.Version <= rollup.Version) _rollups[key] = rollup;
        }
        // Rollups first: if persisting the late events fails the call fails, but the rollups are written and
        // acknowledged anyway. Only calls that carry late events write state.
        if (lateEvents.Length > 0) await _late.AddAsync(lateEvents);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_flushing) return;
        _flushing = true;
        try
        {
            // Separately, so that one kind failing (say a late batch ClickHouse rejects) does not hold up the other.
            await FlushRollupsAsync(cancellationToken);
            await FlushLateEventsAsync(cancellationToken);
        }
        finally
        {
            _flushing = false;
        }
    }

    private async Task FlushRollupsAsync(CancellationToken cancellationToken)
    {
        if (_rollups.Count == 0) return;
        var started = time.GetTimestamp();
        var rollups = _rollups.Values.ToList();
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            await sink.WritePageMinutesAsync(rollups.Select(r => ToRow(r, now)).ToList(), cancellationToken);
            Remove(rollups);
            metrics.WindowsFlushed.Add(rollups.Count);
            metrics.FlushLatency.Record(time.GetElapsedTime(started).TotalMilliseconds);
            _consecutiveFailures = 0;
            AcknowledgePages(rollups);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OnFailure("rollups", rollups.Count, ex);
        }
    }

    private async Task FlushLateEventsAsync(CancellationToken cancellationToken)
    {
        var held = _late.Count;
        try
        {
            var written = await _late.FlushAsync(
                (batch, ct) => sink.WriteLateEventsAsync(LateEventRows.Of(batch, _topic), batch.Token, ct), cancellationToken);
            if (written > 0) _consecutiveFailures = 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            OnFailure("late events", held, ex);
        }
    }

    private void OnFailure(string kind, int rows, Exception ex)
    {
        metrics.FlushFailures.Add(1);
        if (_consecutiveFailures++ % 30 == 0) LogFlushFailed(_shard, rows, kind, ex);
    }

    private void Remove(List<PageMinuteRollup> written)
    {
        foreach (var rollup in written)
        {
            var key = (rollup.Page, rollup.Minute);
            // A newer version may have arrived during the write; it stays for the next flush.
            if (_rollups.TryGetValue(key, out var current) && current.Version == rollup.Version) _rollups.Remove(key);
        }
    }

    private void AcknowledgePages(List<PageMinuteRollup> written)
    {
        foreach (var byPage in written.GroupBy(r => r.Page))
        {
            // One-way: a page grain that is busy or gone must not hold up the flush.
            GrainFactory.GetGrain<IPageGrain>(byPage.Key).AcknowledgeFlushedAsync(byPage.Select(r => new FlushedWindow(r.Minute, r.Version)).ToArray()).Ignore();
        }
    }

    private PageMinuteRow ToRow(PageMinuteRollup r, DateTime now) => new()
    {
        Page = r.Page,
        Minute = r.Minute,
        Views = r.Views,
        UniqueVisitors = r.UniqueVisitors,
        Events = r.Events,
        EventsByType = r.EventsByType,
        LateEvents = r.LateEvents,
        Version = r.Version,
        FlushedAt = now,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flush grain {Shard} could not write {Rows} {Kind}; retrying.")]
    private partial void LogFlushFailed(long shard, int rows, string kind, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Flush grain {Shard} resumes writing {Late} late events from its state.")]
    private partial void LogResuming(long shard, int late);
}
