namespace Analytics.LoadGenerator;

/// <summary>Where a <see cref="LoadRunner"/> sends events: Kafka in production, memory in tests.</summary>
public interface IEventSink : IDisposable
{
    /// <summary>
    /// A fatal error after which nothing can be sent (for example a fenced idempotent producer); <see langword="null"/> while healthy.
    /// </summary>
    string? FatalError { get; }

    /// <summary>
    /// Enqueues <paramref name="generated"/> without blocking. Returns <see langword="false"/> only when the sink's
    /// queue is full and the caller should retry later. Once accepted, the sink reports exactly one outcome to
    /// <paramref name="recorder"/>: <see cref="SendRecorder.RecordDelivered"/> or <see cref="SendRecorder.RecordFailed"/>
    /// (possibly before this method returns).
    /// </summary>
    bool TrySend(GeneratedEvent generated, SendRecorder recorder);

    /// <summary>Waits up to <paramref name="timeout"/> for outstanding deliveries; returns how many are still outstanding.</summary>
    int Flush(TimeSpan timeout);
}
