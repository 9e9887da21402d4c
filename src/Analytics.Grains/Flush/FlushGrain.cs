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
public sealed partial class FlushGrain(
    IAnalyticsSink sink,
    IOptions<PipelineOptions> options,
    IOptionsMonitor<KafkaStreamOptions> kafkaOptions,
    PipelineMetrics metrics,
    TimeProvider time,
    ILogger<FlushGrain> logger) : Grain, IFlushGrain
{
    private const int MaxBufferedRows = 200_000;
    private readonly Dictionary<(string Page, DateTime Minute), PageMinuteRollup> _rollups = new();
    private readonly List<LateEvent> _lateEvents = new();
    private readonly string _topic = kafkaOptions.Get(StreamNamespaces.ProviderName).Topic;
    private bool _flushing;
    private int _consecutiveFailures;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = options.Value.FlushInterval;
        this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(period, period) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Last chance to write what was handed over; if this fails the page grains hand it over again.
        if (_rollups.Count + _lateEvents.Count > 0) await FlushAsync(cancellationToken);
    }

    /// <inheritdoc />
    public Task EnqueueAsync(string page, PageMinuteRollup[] rollups, LateEvent[] lateEvents)
    {
        if (_rollups.Count + _lateEvents.Count + rollups.Length + lateEvents.Length > MaxBufferedRows)
            throw new InvalidOperationException($"Flush grain {this.GetPrimaryKeyLong()} is full ({MaxBufferedRows} rows): ClickHouse is not keeping up.");
        foreach (var rollup in rollups)
        {
            var key = (rollup.Page, rollup.Minute);
            // Keep the newest version if the same minute is handed over twice before a flush.
            if (!_rollups.TryGetValue(key, out var known) || known.Version <= rollup.Version) _rollups[key] = rollup;
        }
        _lateEvents.AddRange(lateEvents);
        return Task.CompletedTask;
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_flushing || _rollups.Count + _lateEvents.Count == 0) return;
        _flushing = true;
        var started = time.GetTimestamp();
        var rollups = _rollups.Values.ToList();
        var late = _lateEvents.ToList();
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (late.Count > 0)
            {
                // Late events carry their Kafka position: the token makes a retried insert a no-op.
                var token = $"late-{this.GetPrimaryKeyLong()}-{late[0].Event.Partition}-{late[0].Event.Offset}-{late.Count}";
                await sink.WriteLateEventsAsync(late.Select(l => ToRow(l)).ToList(), token, cancellationToken);
            }
            if (rollups.Count > 0)
            {
                await sink.WritePageMinutesAsync(rollups.Select(r => ToRow(r, now)).ToList(), cancellationToken);
            }
            Remove(rollups, late);
            metrics.WindowsFlushed.Add(rollups.Count);
            metrics.FlushLatency.Record(time.GetElapsedTime(started).TotalMilliseconds);
            _consecutiveFailures = 0;
            AcknowledgePages(rollups);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.FlushFailures.Add(1);
            if (_consecutiveFailures++ % 30 == 0) LogFlushFailed(this.GetPrimaryKeyLong(), rollups.Count, late.Count, ex);
        }
        finally
        {
            _flushing = false;
        }
    }

    private void Remove(List<PageMinuteRollup> written, List<LateEvent> late)
    {
        foreach (var rollup in written)
        {
            var key = (rollup.Page, rollup.Minute);
            // A newer version may have arrived during the write; it stays for the next flush.
            if (_rollups.TryGetValue(key, out var current) && current.Version == rollup.Version) _rollups.Remove(key);
        }
        _lateEvents.RemoveRange(0, late.Count);
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

    private LateEventRow ToRow(LateEvent l) => new()
    {
        Page = l.Event.Page,
        Minute = l.Minute,
        Timestamp = l.Event.Timestamp,
        Event = l.Event.EventType,
        UserId = l.Event.UserId,
        SessionId = l.Event.SessionId,
        KafkaTopic = _topic,
        KafkaPartition = l.Event.Partition,
        KafkaOffset = l.Event.Offset,
        Watermark = l.Watermark,
        DetectedAt = l.DetectedAt,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flush grain {Shard} could not write {Rollups} rollups and {Late} late events; retrying.")]
    private partial void LogFlushFailed(long shard, int rollups, int late, Exception ex);
}
