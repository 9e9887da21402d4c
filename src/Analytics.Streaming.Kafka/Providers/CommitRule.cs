namespace Analytics.Streaming.Kafka.Providers;

/// <summary>The one rule deciding how far a partition's offset may be committed.</summary>
internal static class CommitRule
{
    /// <summary>
    /// The offset to commit (exclusive: the next record to read after a restart), or -1 for none: below both
    /// the oldest undelivered record and the oldest record whose side effects are not durable.
    /// </summary>
    /// <param name="deliveredBelow">Every record below this was delivered to its grains; -1 if nothing polled.</param>
    /// <param name="durableBelow">Every side effect below this is durable; null when the listener has nothing pending.</param>
    public static long Committable(long deliveredBelow, long? durableBelow)
    {
        if (deliveredBelow < 0) return -1;
        return durableBelow is { } durable ? Math.Min(deliveredBelow, durable) : deliveredBelow;
    }
}
