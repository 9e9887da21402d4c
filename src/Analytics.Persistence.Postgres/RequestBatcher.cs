using System.Threading.Channels;

namespace Analytics.Persistence.Postgres;

/// <summary>
/// Turns single requests from many callers into batches: a request waits at most <c>maxDelay</c> for others to
/// join it (less if the batch fills), at most <c>maxConcurrent</c> batches run at once, and every caller's task
/// completes with its own request's result (or the batch's exception) when its batch is done.
/// </summary>
/// <typeparam name="TRequest">One caller's request.</typeparam>
/// <typeparam name="TResult">Its result.</typeparam>
internal sealed class RequestBatcher<TRequest, TResult>
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> _execute;
    private readonly int _maxSize;
    private readonly TimeSpan _maxDelay;
    private readonly int _maxConcurrent;
    private readonly TimeProvider _time;
    private readonly Func<Pending, object>? _keyOf;
    private Task _loops = Task.CompletedTask;

    /// <summary>Creates a batcher; call <see cref="Start"/> before the first request is served.</summary>
    /// <param name="execute">Runs one batch; returns one result per request, in order.</param>
    /// <param name="maxSize">Most requests per batch.</param>
    /// <param name="maxDelay">How long a batch waits for more requests after its first one.</param>
    /// <param name="maxConcurrent">Batches running at once.</param>
    /// <param name="time">The clock for the wait.</param>
    /// <param name="keyOf">A request's row key if requests for the same row must go to different batches.</param>
    public RequestBatcher(
        Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> execute,
        int maxSize, TimeSpan maxDelay, int maxConcurrent, TimeProvider time, Func<TRequest, object>? keyOf = null)
    {
        _execute = execute;
        _maxSize = maxSize;
        _maxDelay = maxDelay;
        _maxConcurrent = maxConcurrent;
        _time = time;
        _keyOf = keyOf is null ? null : p => keyOf(p.Request);
    }

    /// <summary>Queues <paramref name="request"/>; completes when its batch has run.</summary>
    public Task<TResult> SubmitAsync(TRequest request)
    {
        var pending = new Pending(request);
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The storage is stopped; no more requests are accepted.");
        return pending.Completion.Task;
    }

    /// <summary>Starts the batch loops.</summary>
    public void Start() => _loops = Task.WhenAll(Enumerable.Range(0, _maxConcurrent).Select(_ => Task.Run(RunAsync)));

    /// <summary>Accepts no more requests and completes when every queued one has run.</summary>
    public Task StopAsync()
    {
        _queue.Writer.TryComplete();
        return _loops;
    }

    private async Task RunAsync()
    {
        var heldBack = new List<Pending>();
        var reader = _queue.Reader;
        while (heldBack.Count > 0 || await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Give other callers of the same moment (one poll delivers to many grains at once) time to join.
            if (_maxDelay > TimeSpan.Zero && heldBack.Count + reader.Count < _maxSize)
                await Task.Delay(_maxDelay, _time).ConfigureAwait(false);
            var batch = BatchAssembler.Take(heldBack, reader.TryRead, _maxSize, _keyOf);
            if (batch.Count > 0) await RunBatchAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task RunBatchAsync(List<Pending> batch)
    {
        try
        {
            var results = await _execute(batch.ConvertAll(p => p.Request)).ConfigureAwait(false);
            if (results.Count != batch.Count)
                throw new InvalidOperationException($"A batch of {batch.Count} requests returned {results.Count} results.");
            for (var i = 0; i < batch.Count; i++) batch[i].Completion.TrySetResult(results[i]);
        }
        catch (Exception ex)
        {
            foreach (var pending in batch) pending.Completion.TrySetException(ex);
        }
    }

    private sealed class Pending(TRequest request)
    {
        public TRequest Request { get; } = request;

        // Continuations run off the batch loop, so a caller's code never delays the next batch.
        public TaskCompletionSource<TResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
