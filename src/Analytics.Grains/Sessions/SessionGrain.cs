using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Persistence;
using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace Analytics.Grains.Sessions;

/// <summary>
/// One visitor session. Consumes the <c>session</c> stream namespace, keeps the session's state, and offers
/// its row to the silo's <see cref="SessionRowBuffer"/> after every batch. With durable persistence a delivery
/// completes only once the state that includes it (and the offsets it covers) is stored, so the Kafka offset is
/// never committed ahead of the session; the storage batches the writes of many session grains into one round
/// trip. Reentrant like <c>PageGrain</c>, so that batches arriving during a write share the next one: every
/// mutation runs without an await in between, and storage gets a copy taken when the write starts.
/// Idle session grains deactivate quickly (their state and row are already written), so memory holds only
/// active sessions.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Session)]
[CollectionAgeLimit(Minutes = 2)]
[Reentrant]
public sealed partial class SessionGrain : Grain, ISessionGrain, IAsyncBatchObserver<AnalyticsEvent>
{
    private readonly IPersistentState<SessionState> _state;
    private readonly DeepCopier<SessionState> _copier;
    private readonly SessionRowBuffer _rows;
    private readonly WatermarkView _watermark;
    private readonly SessionOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly bool _persist;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionGrain> _logger;
    private readonly CoalescingWriter _writer;
    private SnapshotState<SessionState> _snapshots = null!;
    private SessionTracker _tracker = null!;
    private bool _dirty;

    /// <summary>Creates the grain.</summary>
    public SessionGrain(
        [PersistentState("session", StorageNames.Sessions)] IPersistentState<SessionState> state,
        SessionRowBuffer rows, WatermarkView watermark, IOptions<SessionOptions> options,
        IOptions<PipelineOptions> pipeline, PipelineMetrics metrics, TimeProvider time, ILogger<SessionGrain> logger,
        DeepCopier<SessionState> copier)
    {
        _state = state;
        _copier = copier;
        _rows = rows;
        _watermark = watermark;
        _options = options.Value;
        _metrics = metrics;
        _persist = pipeline.Value.PersistState;
        _time = time;
        _logger = logger;
        _writer = new CoalescingWriter(WriteStateAsync);
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKeyString();
        _snapshots = new SnapshotState<SessionState>(_state, _copier);
        _tracker = new SessionTracker(id, _snapshots.Live, _options);
        await this.GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<AnalyticsEvent>(StreamId.Create(StreamNamespaces.Session, id))
            .SubscribeAsync(this);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Only a state whose write failed is still dirty here; its delivery failed too and will be redelivered.
        if (_dirty && _persist)
        {
            try { await _writer.WriteAsync(); }
            catch (Exception ex) { LogWriteFailed(this.GetPrimaryKeyString(), ex); }
        }
        await _writer.IdleAsync();
    }

    /// <inheritdoc />
    public Task OnNextAsync(IList<SequentialItem<AnalyticsEvent>> items)
    {
        var (changed, closed) = _tracker.Apply(items.Select(i => i.Item));
        foreach (var row in closed) _rows.Upsert(row);
        if (changed)
        {
            _dirty = true;
            _rows.Upsert(_tracker.ToRow());
        }
        // Completing delivery means "durable": the pulling agent then lets the Kafka offset be committed.
        // Without durable persistence (Memory) nothing is written: the state lives in grain memory only.
        return _dirty && _persist ? _writer.WriteAsync() : Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <inheritdoc />
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(this.GetPrimaryKeyString(), ex);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SessionLiveState?> GetAsync() =>
        Task.FromResult(_tracker.State.HasStarted ? _tracker.Snapshot(EventTimeNow()) : null);

    private DateTime EventTimeNow() => _watermark.Current ?? _time.GetUtcNow().UtcDateTime;

    private async Task WriteStateAsync()
    {
        _dirty = false;
        try
        {
            await _snapshots.WriteAsync();
            _metrics.StateWrites.Add(1);
        }
        catch (Exception ex)
        {
            _dirty = true;
            LogWriteFailed(this.GetPrimaryKeyString(), ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error on session {SessionId}.")]
    private partial void LogStreamError(string sessionId, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persisting session {SessionId} failed; its delivery fails and is retried.")]
    private partial void LogWriteFailed(string sessionId, Exception ex);
}
