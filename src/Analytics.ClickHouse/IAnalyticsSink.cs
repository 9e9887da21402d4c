using Analytics.ClickHouse.Rows;

namespace Analytics.ClickHouse;

/// <summary>
/// Idempotent, batched writes of the analytics tables. Each call is one bulk insert (split only above
/// <see cref="ClickHouseOptions.MaxBatchRows"/>), so callers batch rows and flush on a timer.
/// </summary>
/// <remarks>
/// <para>
/// Append-only tables (<c>page_views</c>, <c>late_events</c>, <c>dead_letters</c>) take a deduplication token:
/// a write repeated with the same token is stored once, even after a crash or a timeout whose insert did land.
/// The token names the batch, not its content: derive it deterministically from what the batch is (for example
/// topic, partition and the offset range), and repeat a write with exactly the same rows in the same order; a
/// different batch sent under a used token is silently dropped. The server remembers the last 10,000 inserts
/// per table.
/// </para>
/// <para>
/// Versioned tables (<c>page_views_1m</c>, <c>sessions</c>, <c>sessions_1m</c>, <c>anomalies</c>) need no token:
/// rows are keyed, the highest version wins, and readers use <c>FINAL</c>.
/// </para>
/// <para>
/// Failures surface as <see cref="AnalyticsSinkException"/>; retry when
/// <see cref="AnalyticsSinkException.IsTransient"/> is true, with the same rows and token. Cancellation through
/// the caller's token surfaces as <see cref="OperationCanceledException"/>. Implementations are thread-safe.
/// </para>
/// </remarks>
public interface IAnalyticsSink
{
    /// <summary>Appends events to the raw archive <c>page_views</c>, deduplicated by <paramref name="deduplicationToken"/>.</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="deduplicationToken">A non-empty token naming this batch (see the interface remarks).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default);

    /// <summary>Appends late events to <c>late_events</c>, deduplicated by <paramref name="deduplicationToken"/>.</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="deduplicationToken">A non-empty token naming this batch (see the interface remarks).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default);

    /// <summary>Appends rejected messages to <c>dead_letters</c>, deduplicated by <paramref name="deduplicationToken"/>.</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="deduplicationToken">A non-empty token naming this batch (see the interface remarks).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default);

    /// <summary>Upserts one-minute page rollups into <c>page_views_1m</c> (highest version wins).</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default);

    /// <summary>Upserts sessions into <c>sessions</c> (highest version wins).</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default);

    /// <summary>Upserts per-minute session statistics into <c>sessions_1m</c> (highest version wins).</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default);

    /// <summary>Upserts anomalies into <c>anomalies</c> (highest version wins).</summary>
    /// <param name="rows">The rows; an empty list writes nothing.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns, for each of <paramref name="partitions"/> of <paramref name="topic"/>, the highest Kafka offset archived
    /// in <c>page_views</c> and, separately, in <c>dead_letters</c>, so a replay can skip the records each table already
    /// holds (see <see cref="ArchivedOffsets"/>). One query, answered from the page_views projection; a partition that
    /// neither table holds maps to <c>(null, null)</c>.
    /// </summary>
    /// <param name="topic">The Kafka topic.</param>
    /// <param name="partitions">The Kafka partitions.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyDictionary<int, ArchivedOffsets>> GetArchivedOffsetsAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Recomputes <c>sessions_1m</c> for the minutes of the last <paramref name="lookback"/> from <c>sessions</c>
    /// (inside ClickHouse, one statement): active sessions (with activity in the minute), new sessions (started in
    /// it), closed sessions (last activity in it and quiet for <paramref name="inactivityTimeout"/> since), and the
    /// average duration and bounce rate of the sessions started in it. Idempotent: rows carry a newer version.
    /// </summary>
    Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default);
}
