namespace Analytics.Grains.Persistence;

/// <summary>
/// Group commit for one grain's state: at most one write in flight, and every caller awaits a write that
/// started after its call. Callers that arrive during a write share the next one, so a busy grain writes once
/// per storage round trip however many batches it received. Used only from the grain's own turns.
/// </summary>
internal sealed class CoalescingWriter(Func<Task> write)
{
    private Task _inFlight = Task.CompletedTask;
    private Task? _next;

    /// <summary>Returns a task that completes when a write that includes the caller's changes is durable.</summary>
    public Task WriteAsync()
    {
        if (_next is not null) return _next;
        if (_inFlight.IsCompleted)
        {
            _inFlight = write();
            return _inFlight;
        }
        _next = WriteAfterAsync(_inFlight);
        return _next;
    }

    /// <summary>Completes when no write is in flight (used before deactivation).</summary>
    public Task IdleAsync() => _next ?? _inFlight;

    private async Task WriteAfterAsync(Task previous)
    {
        try { await previous; }
        catch { /* the previous caller observes its own failure; this write retries the same state */ }
        _next = null;
        _inFlight = write();
        await _inFlight;
    }
}
