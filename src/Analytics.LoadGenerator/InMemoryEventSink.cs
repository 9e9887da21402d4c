namespace Analytics.LoadGenerator;

/// <summary>
/// A sink for tests: keeps every accepted event in order and reports it delivered at once, unless
/// <see cref="FailWhen"/> says it fails.
/// </summary>
public sealed class InMemoryEventSink : IEventSink
{
    private readonly List<GeneratedEvent> _events = [];
    private readonly Lock _gate = new();

    /// <summary>Decides which events fail delivery (reason <c>simulated</c>); <see langword="null"/> delivers all. Defaults to none.</summary>
    public Func<GeneratedEvent, bool>? FailWhen { get; init; }

    /// <inheritdoc />
    public string? FatalError => null;

    /// <summary>A snapshot of the accepted events, in send order.</summary>
    public IReadOnlyList<GeneratedEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    /// <inheritdoc />
    public bool TrySend(GeneratedEvent generated, SendRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(recorder);
        lock (_gate)
        {
            _events.Add(generated);
        }

        if (FailWhen?.Invoke(generated) == true)
        {
            recorder.RecordFailed(generated, "simulated");
        }
        else
        {
            recorder.RecordDelivered(generated);
        }

        return true;
    }

    /// <inheritdoc />
    public int Flush(TimeSpan timeout) => 0;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
