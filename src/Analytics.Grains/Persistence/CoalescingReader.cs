namespace Analytics.Grains.Persistence;

/// <summary>
/// Group reads for one grain: at most one read in flight; keys asked for while it runs are gathered into the next
/// one, so a busy grain reads once per storage round trip however many batches needed something. Every caller gets
/// a result that covers its keys (a key missing from it is not stored). Used only from the grain's own turns.
/// </summary>
/// <typeparam name="T">What one key reads to.</typeparam>
internal sealed class CoalescingReader<T>(Func<IReadOnlyCollection<string>, Task<IReadOnlyDictionary<string, T>>> read)
{
    private Task<IReadOnlyDictionary<string, T>> _inFlight = Task.FromResult<IReadOnlyDictionary<string, T>>(new Dictionary<string, T>());
    private Task<IReadOnlyDictionary<string, T>>? _next;
    private HashSet<string>? _nextKeys;

    /// <summary>Reads <paramref name="keys"/>, alone or together with other callers' keys.</summary>
    public Task<IReadOnlyDictionary<string, T>> ReadAsync(IReadOnlyCollection<string> keys)
    {
        if (_inFlight.IsCompleted)
        {
            _inFlight = read(keys);
            return _inFlight;
        }
        if (_next is not null)
        {
            _nextKeys!.UnionWith(keys);
            return _next;
        }
        _nextKeys = new HashSet<string>(keys, StringComparer.Ordinal);
        _next = ReadAfterAsync(_inFlight);
        return _next;
    }

    private async Task<IReadOnlyDictionary<string, T>> ReadAfterAsync(Task previous)
    {
        try { await previous; }
        catch { /* its callers observe that failure; this read is independent */ }
        var keys = _nextKeys!;
        _nextKeys = null;
        _next = null;
        _inFlight = read(keys);
        return await _inFlight;
    }
}
