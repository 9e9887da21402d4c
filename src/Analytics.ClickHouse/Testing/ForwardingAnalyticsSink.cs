using Analytics.ClickHouse.Rows;

namespace Analytics.ClickHouse.Testing;

/// <summary>
/// Passes every call to another sink; tests derive from it and override the appends whose failure or delay they
/// simulate (an insert that lands late, a response that is lost).
/// </summary>
public abstract class ForwardingAnalyticsSink(IAnalyticsSink inner) : IAnalyticsSink
{
    /// <inheritdoc />
    public virtual Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteRawEventsAsync(rows, deduplicationToken, cancellationToken);

    /// <inheritdoc />
    public virtual Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteDeadLettersAsync(rows, deduplicationToken, cancellationToken);

    /// <inheritdoc />
    public Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteLateEventsAsync(rows, deduplicationToken, cancellationToken);

    /// <inheritdoc />
    public Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default) =>
        inner.WritePageMinutesAsync(rows, cancellationToken);

    /// <inheritdoc />
    public Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteSessionsAsync(rows, cancellationToken);

    /// <inheritdoc />
    public Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteSessionMinutesAsync(rows, cancellationToken);

    /// <inheritdoc />
    public Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteAnomaliesAsync(rows, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<int, ArchivedOffsets>> GetArchivedOffsetsAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken = default) =>
        inner.GetArchivedOffsetsAsync(topic, partitions, cancellationToken);

    /// <inheritdoc />
    public Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default) =>
        inner.RefreshSessionMinutesAsync(lookback, inactivityTimeout, cancellationToken);
}
