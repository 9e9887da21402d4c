using Analytics.ClickHouse;
using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Testing;

namespace Analytics.UnitTests.Archive;

/// <summary>Passes every call to an in-memory store; tests override the calls whose failure they simulate.</summary>
internal abstract class ForwardingSink(InMemoryAnalyticsSink inner) : IAnalyticsSink
{
    public virtual Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteRawEventsAsync(rows, deduplicationToken, cancellationToken);

    public virtual Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteDeadLettersAsync(rows, deduplicationToken, cancellationToken);

    public Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        inner.WriteLateEventsAsync(rows, deduplicationToken, cancellationToken);

    public Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default) =>
        inner.WritePageMinutesAsync(rows, cancellationToken);

    public Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteSessionsAsync(rows, cancellationToken);

    public Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteSessionMinutesAsync(rows, cancellationToken);

    public Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default) =>
        inner.WriteAnomaliesAsync(rows, cancellationToken);

    public Task<IReadOnlyDictionary<int, ArchivedOffsets>> GetArchivedOffsetsAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken = default) =>
        inner.GetArchivedOffsetsAsync(topic, partitions, cancellationToken);

    public Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default) =>
        inner.RefreshSessionMinutesAsync(lookback, inactivityTimeout, cancellationToken);
}
