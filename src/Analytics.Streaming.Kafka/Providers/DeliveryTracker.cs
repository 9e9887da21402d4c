namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// Tracks which polled offsets of one partition are still in flight to grains, and so the highest offset that
/// may be committed: everything below the oldest undelivered batch container, or past the last poll when none is
/// in flight. Not thread-safe; the pulling agent calls a receiver from one turn at a time.
/// </summary>
internal sealed class DeliveryTracker
{
    // first offset of each in-flight container -> number of containers starting there
    private readonly SortedDictionary<long, int> _inFlight = new();
    private long _nextAfterPolled = -1;

    /// <summary>Offsets below this were all polled (exclusive upper bound), or -1 before the first poll.</summary>
    public long NextAfterPolled => _nextAfterPolled;

    /// <summary>Number of containers handed to the agent and not yet reported delivered.</summary>
    public int InFlightContainers { get; private set; }

    /// <summary>Records a poll: containers starting at <paramref name="containerFirstOffsets"/>, last offset <paramref name="lastOffset"/>.</summary>
    public void OnPolled(IEnumerable<long> containerFirstOffsets, long lastOffset)
    {
        foreach (var first in containerFirstOffsets)
        {
            _inFlight[first] = _inFlight.GetValueOrDefault(first) + 1;
            InFlightContainers++;
        }
        _nextAfterPolled = Math.Max(_nextAfterPolled, lastOffset + 1);
    }

    /// <summary>Records that the container starting at <paramref name="firstOffset"/> was delivered to all its consumers.</summary>
    public void OnDelivered(long firstOffset)
    {
        if (!_inFlight.TryGetValue(firstOffset, out var count)) return; // delivered twice or unknown: nothing to release
        if (count == 1) _inFlight.Remove(firstOffset);
        else _inFlight[firstOffset] = count - 1;
        InFlightContainers--;
    }

    /// <summary>
    /// The exclusive offset below which every polled record was delivered, or -1 if nothing was polled yet.
    /// </summary>
    public long DeliveredBelow()
    {
        if (_nextAfterPolled < 0) return -1;
        foreach (var oldest in _inFlight.Keys) return oldest; // SortedDictionary enumerates in key order
        return _nextAfterPolled;
    }

    /// <summary>Forgets everything (the partition was released).</summary>
    public void Clear()
    {
        _inFlight.Clear();
        InFlightContainers = 0;
        _nextAfterPolled = -1;
    }
}
