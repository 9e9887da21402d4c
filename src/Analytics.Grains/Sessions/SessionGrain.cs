using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;
using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Analytics.Grains.Sessions;

/// <summary>
/// One visitor session. Consumes the <c>session</c> stream namespace, keeps the session's state, and offers
/// its row to the silo's <see cref="SessionRowBuffer"/> after every batch. Idle session grains deactivate
/// quickly (their row is already written), so memory holds only active sessions.
/// </summary>
[ImplicitStreamSubscription(StreamNamespaces.Session)]
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class SessionGrain : Grain, ISessionGrain, IAsyncBatchObserver<AnalyticsEvent>
{
    private readonly IPersistentState<SessionState> _state;
    private readonly SessionRowBuffer _rows;
    private readonly WatermarkView _watermark;
    private readonly SessionOptions _options;
    private readonly bool _persist;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionGrain> _logger;
    private SessionTracker _tracker = null!;
    private bool _dirty;
    private long _lastWrite;

    /// <summary>Creates the grain.</summary>
    public SessionGrain(
        [PersistentState("session", StorageNames.Sessions)] IPersistentState<SessionState> state,
        SessionRowBuffer rows, WatermarkView watermark, IOptions<SessionOptions> options,
        IOptions<PipelineOptions> pipeline, TimeProvider time, ILogger<SessionGrain> logger)
    {
        _state = state;
        _rows = rows;
        _watermark = watermark;
        _options = options.Value;
        _persist = pipeline.Value.PersistState;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var id = this.GetPrimaryKeyString();
        _tracker = new SessionTracker(id, _state.State, _options);
        _lastWrite = _time.GetTimestamp();
        await this.GetStreamProvider(StreamNamespaces.ProviderName)
            .GetStream<AnalyticsEvent>(StreamId.Create(StreamNamespaces.Session, id))
            .SubscribeAsync(this);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty && _persist) await WriteAsync();
    }

    /// <inheritdoc />
    public async Task OnNextAsync(IList<SequentialItem<AnalyticsEvent>> items)
    {
        var (changed, closed) = _tracker.Apply(items.Select(i => i.Item));
        foreach (var row in closed) _rows.Upsert(row);
        if (!changed) return;
        _dirty = true;
        _rows.Upsert(_tracker.ToRow());
        // Sessions are persisted per interval, not per batch: their writes would outnumber the pages' many times.
        if (_persist && _time.GetElapsedTime(_lastWrite) >= _options.PersistInterval) await WriteAsync();
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

    private async Task WriteAsync()
    {
        _lastWrite = _time.GetTimestamp();
        _dirty = false;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            _dirty = true;
            LogWriteFailed(this.GetPrimaryKeyString(), ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stream error on session {SessionId}.")]
    private partial void LogStreamError(string sessionId, Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Persisting session {SessionId} failed; will retry.")]
    private partial void LogWriteFailed(string sessionId, Exception ex);
}
