using Analytics.ClickHouse.Rows;
using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Persistence;
using Analytics.Grains.Watermarks;
using Analytics.Persistence.Postgres.Sharded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The sessions of one shard. Consumes the <c>session</c> stream of its key, which carries every session whose id
/// hashes to it, so a batch of events costs one grain call per shard instead of one activation, subscription and
/// call per session. With durable persistence a delivery completes only once the sessions it changed and the
/// offsets it covers are stored together in one write (<see cref="IShardedStateStore"/>), so the Kafka offset is
/// never committed ahead of them; sessions read back from the store when an event for them comes after they left
/// memory. Reentrant like <c>PageGrain</c>: batches arriving during a write share the next one; every mutation
/// runs without an await in between.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Session)]
[Reentrant]
public sealed partial class SessionShardGrain : Grain, ISessionShardGrain, IAsyncBatchObserver<AnalyticsEvent>
{
    private const int ReadPageSize = 5_000;
    private readonly SessionRowBuffer _rows;
    private readonly WatermarkView _watermark;
    private readonly SessionOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionShardGrain> _logger;
    private readonly IShardedStateStore? _store;
    private readonly CoalescingWriter _writer;
    private readonly CoalescingReader<SessionState> _reader;
    private SessionShardBook _book = null!;
    private long _storedVersion;
    private DateTimeOffset _nextExpiryScan;
    private Task? _rowsWatch;

    /// <summary>Creates the grain.</summary>
    public SessionShardGrain(
        SessionRowBuffer rows, WatermarkView watermark, IOptions<SessionOptions> options, IOptions<PipelineOptions> pipeline,
        PipelineMetrics metrics, TimeProvider time, ILogger<SessionShardGrain> logger, IServiceProvider services)
    {
        _rows = rows;
        _watermark = watermark;
        _options = options.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        // Without durable persistence (Memory) nothing is written: the sessions live in grain memory only.
        _store = pipeline.Value.PersistState ? services.GetRequiredService<IShardedStateStore>() : null;
        _writer = new CoalescingWriter(WriteAsync);
        _reader = new CoalescingReader<SessionState>(ReadSessionsAsync);
    }

    private string Shard => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _book = new SessionShardBook(_options, durable: _store is not null);
        if (_store is not null)
        {
            var header = await _store.ReadHeaderAsync(Shard, cancellationToken);
            _storedVersion = header.Version;
            _book.Restore(SessionShardProgress.Decode(header.Payload));
            await OfferUnwrittenRowsAsync(cancellationToken);
        }
        await this.GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<AnalyticsEvent>(StreamId.Create(StreamNamespaces.Session, Shard))
            .SubscribeAsync(this);
        _nextExpiryScan = _time.GetUtcNow() + _options.ExpiryScanInterval;
        this.RegisterGrainTimer(MaintainAsync, new GrainTimerCreationOptions(_options.MaintenanceInterval, _options.MaintenanceInterval) { Interleave = true });
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_store is not null && _book.HasChanges)
        {
            try { await _writer.WriteAsync(); }
            catch (Exception ex) { LogWriteFailed(Shard, ex); }
        }
        await _writer.IdleAsync();
    }

    /// <inheritdoc />
    public Task OnNextAsync(IList<SequentialItem<AnalyticsEvent>> items)
    {
        if (_store is null)
        {
            Apply(items, loaded: null);
            return Task.CompletedTask;
        }
        return ApplyDurablyAsync(items);
    }

    /// <inheritdoc />
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(Shard, ex);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<SessionLiveState?> GetSessionAsync(string sessionId)
    {
        var now = EventTimeNow();
        var live = _book.Snapshot(sessionId, now);
        if (live is not null || _store is null) return live;
        var stored = await _store.ReadItemsAsync(Shard, [sessionId]);
        if (stored.Count == 0) return null;
        var tracker = new SessionTracker(sessionId, SessionStateCodec.Decode(stored[0].Payload), _options);
        return tracker.State.HasStarted ? tracker.Snapshot(now) : null;
    }

    /// <summary>Reads the sessions of the batch that are not in memory, then applies it and waits for its write.</summary>
    private async Task ApplyDurablyAsync(IList<SequentialItem<AnalyticsEvent>> items)
    {
        var events = items.Select(i => i.Item);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var loaded = new Dictionary<string, SessionState>(StringComparer.Ordinal);
        // Usually one read at most; another only if a session left memory while the read was under way.
        for (var missing = _book.MissingKeys(events, asked, Ticks()); missing.Count > 0; missing = _book.MissingKeys(events, asked, Ticks()))
        {
            asked.UnionWith(missing);
            var found = await _reader.ReadAsync(missing);
            foreach (var id in missing)
            {
                if (found.TryGetValue(id, out var stored)) loaded[id] = stored;
            }
        }
        Apply(items, loaded);
        // Completing delivery means "durable": the pulling agent then lets the Kafka offset be committed.
        await _writer.WriteAsync();
    }

    private void Apply(IList<SequentialItem<AnalyticsEvent>> items, IReadOnlyDictionary<string, SessionState>? loaded)
    {
        var rows = new List<SessionRow>();
        // Replays are counted once, by the page grains (every event also goes to its page).
        _book.Apply(items.Select(i => i.Item), loaded, Ticks(), rows);
        foreach (var row in rows) _rows.Upsert(row);
    }

    /// <summary>Closes sessions the watermark passed, finds stored ones due, releases memory, and records what ClickHouse has.</summary>
    private async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var rows = new List<SessionRow>();
        var now = EventTimeNow();
        if (_store is not null && _time.GetUtcNow() >= _nextExpiryScan)
        {
            _nextExpiryScan = _time.GetUtcNow() + _options.ExpiryScanInterval;
            await AdoptDueSessionsAsync(now, cancellationToken);
        }
        _book.CloseDue(now, rows);
        foreach (var row in rows) _rows.Upsert(row);
        _book.Release(Ticks());
        if (_book.TakeDropped() is > 0 and var dropped) LogDropped(Shard, dropped, _options.MaxSessionsInMemory);
        _metrics.StateSize.Record(_book.Count);
        if (_store is null) return;

        var stored = _book.DurableSeq;
        if (_rowsWatch is not { IsCompleted: false } && stored > _book.Progress.RowsWrittenSeq) _rowsWatch = WatchRowsWrittenAsync(stored);
        if (_book.HasChanges) await _writer.WriteAsync();
    }

    /// <summary>
    /// Rows of sessions stored up to <paramref name="stored"/> were offered before their write: once the row buffer has
    /// written what it holds now, ClickHouse has all of them and a restart need not offer them again. Not awaited by
    /// the maintenance tick, so that closing and releasing go on while ClickHouse is down.
    /// </summary>
    private async Task WatchRowsWrittenAsync(long stored)
    {
        await _rows.WhenWrittenAsync();
        _book.RowsWrittenUpTo(stored);
    }

    /// <summary>Reads stored sessions that are due to close (or to be forgotten) while out of memory.</summary>
    private async Task AdoptDueSessionsAsync(DateTime eventTimeNow, CancellationToken cancellationToken)
    {
        var due = await _store!.ReadItemsActiveBeforeAsync(Shard, eventTimeNow - _options.InactivityTimeout, ReadPageSize, cancellationToken);
        foreach (var item in due) _book.Adopt(item.Key, SessionStateCodec.Decode(item.Payload), item.WrittenSeq, Ticks());
    }

    /// <summary>
    /// After a restart: offers again the rows of sessions stored after the last write ClickHouse was known to have
    /// (the silo that stored them may have died before its row buffer wrote them).
    /// </summary>
    private async Task OfferUnwrittenRowsAsync(CancellationToken cancellationToken)
    {
        var after = _book.Progress.RowsWrittenSeq;
        var limit = ReadPageSize;
        while (true)
        {
            var page = await _store!.ReadItemsWrittenAfterAsync(Shard, after, limit, cancellationToken);
            foreach (var item in page)
            {
                var tracker = _book.Adopt(item.Key, SessionStateCodec.Decode(item.Payload), item.WrittenSeq, Ticks());
                if (tracker is not null && tracker.State.HasStarted) _rows.Upsert(tracker.ToRow(isClosed: tracker.State.Closed));
            }
            if (page.Count < limit) return;
            // A full page may end inside one write's items (they share a sequence number): read that write again from
            // its start next time (sessions already taken are skipped), or all of it at once when it fills a page.
            if (page[0].WrittenSeq == page[^1].WrittenSeq) limit *= 2;
            else after = page[^1].WrittenSeq - 1;
        }
    }

    private async Task<IReadOnlyDictionary<string, SessionState>> ReadSessionsAsync(IReadOnlyCollection<string> ids)
    {
        var items = await _store!.ReadItemsAsync(Shard, ids);
        var found = new Dictionary<string, SessionState>(items.Count, StringComparer.Ordinal);
        foreach (var item in items) found[item.Key] = SessionStateCodec.Decode(item.Payload);
        return found;
    }

    private async Task WriteAsync()
    {
        if (_book.TakeWrite() is not { } write) return;
        try
        {
            _storedVersion = await _store!.WriteAsync(Shard, _storedVersion, write.Header, write.Upserts, write.Deletes);
            _book.Completed(write);
            _metrics.StateWrites.Add(1);
        }
        catch (ShardVersionConflictException ex)
        {
            // Another activation of this shard wrote it: this one is stale. Its deliveries fail and are redelivered
            // to the current activation, which skips what it already applied.
            _book.Failed(write);
            LogStale(Shard, ex);
            this.DeactivateOnIdle();
            throw;
        }
        catch (Exception ex)
        {
            _book.Failed(write);
            LogWriteFailed(Shard, ex);
            throw;
        }
    }

    private DateTime EventTimeNow() => _watermark.Current ?? _time.GetUtcNow().UtcDateTime;

    private long Ticks() => _time.GetUtcNow().UtcTicks;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error on session shard {Shard}.")]
    private partial void LogStreamError(string shard, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persisting session shard {Shard} failed; its deliveries fail and are retried.")]
    private partial void LogWriteFailed(string shard, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session shard {Shard} was written by another activation; this one deactivates.")]
    private partial void LogStale(string shard, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Session shard {Shard} dropped {Dropped} open sessions over Sessions:MaxSessionsInMemory ({Max}); with Memory persistence they are not stored.")]
    private partial void LogDropped(string shard, long dropped, int max);
}
