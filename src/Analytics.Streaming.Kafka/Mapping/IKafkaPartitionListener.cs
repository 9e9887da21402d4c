namespace Analytics.Streaming.Kafka.Mapping;

/// <summary>
/// Side effects of a partition's records outside the grains (archive, dead letters, progress). The provider
/// commits a partition's offset only below <see cref="GetDurableOffset"/>, so these effects are never lost.
/// </summary>
public interface IKafkaPartitionListener
{
    /// <summary>
    /// Called when this silo starts reading <paramref name="partition"/>, before the first poll, so the listener
    /// can learn what it already made durable (records may be replayed from the last committed offset).
    /// </summary>
    Task OnPartitionStartingAsync(int partition, CancellationToken cancellationToken);

    /// <summary>Called after every poll, also empty ones. Must not block: queue work and return.</summary>
    void OnPolled(KafkaPollResult poll);

    /// <summary>
    /// The first offset of <paramref name="partition"/> whose side effects are not yet durable, or null when nothing
    /// handed over is pending.
    /// </summary>
    long? GetDurableOffset(int partition);

    /// <summary>
    /// Whether the listener is saturated (its side effects lag far behind): receivers then pause polling, which is
    /// back-pressure to Kafka instead of unbounded memory.
    /// </summary>
    bool IsSaturated { get; }

    /// <summary>Called when this silo stops reading <paramref name="partition"/>.</summary>
    Task OnPartitionStoppedAsync(int partition, CancellationToken cancellationToken);
}
