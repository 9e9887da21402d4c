using System.Collections.Concurrent;
using Analytics.ClickHouse.Rows;

namespace Analytics.ClickHouse.Testing;

/// <summary>
/// An <see cref="IAnalyticsSink"/> in memory for unit tests of writers (grains, flushers), with the store's
/// semantics: a deduplication token seen before drops the write; versioned rows keep the highest version per key,
/// as <c>FINAL</c> would. Set <see cref="FailNext"/> to make writes fail. Thread-safe.
/// </summary>
public sealed class InMemoryAnalyticsSink : IAnalyticsSink
{
    private readonly Lock gate = new();
    private readonly HashSet<(string Table, string Token)> tokens = [];
    private readonly List<RawEventRow> rawEvents = [];
    private readonly List<LateEventRow> lateEvents = [];
    private readonly List<DeadLetterRow> deadLetters = [];
    private readonly Dictionary<(string Page, DateTime Minute), PageMinuteRow> pageMinutes = [];
    private readonly Dictionary<string, SessionRow> sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<DateTime, SessionMinuteRow> sessionMinutes = [];
    private readonly Dictionary<string, AnomalyRow> anomalies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Exception> failures = new();
    private int writeCalls;

    /// <summary>Queues an exception that the next write or query throws instead of doing anything.</summary>
    /// <param name="exception">The exception, e.g. a transient <see cref="AnalyticsSinkException"/>.</param>
    public void FailNext(Exception exception) => failures.Enqueue(exception);

    /// <summary>Number of write calls that reached the store (including ones dropped as duplicates).</summary>
    public int WriteCalls => Volatile.Read(ref writeCalls);

    /// <summary>The archived raw events, in write order.</summary>
    public IReadOnlyList<RawEventRow> RawEvents => Snapshot(rawEvents);

    /// <summary>The late events, in write order.</summary>
    public IReadOnlyList<LateEventRow> LateEvents => Snapshot(lateEvents);

    /// <summary>The dead letters, in write order.</summary>
    public IReadOnlyList<DeadLetterRow> DeadLetters => Snapshot(deadLetters);

    /// <summary>The page rollups, highest version per page and minute.</summary>
    public IReadOnlyList<PageMinuteRow> PageMinutes => Snapshot(pageMinutes.Values);

    /// <summary>The sessions, highest version per session id.</summary>
    public IReadOnlyList<SessionRow> Sessions => Snapshot(sessions.Values);

    /// <summary>The session statistics, highest version per minute.</summary>
    public IReadOnlyList<SessionMinuteRow> SessionMinutes => Snapshot(sessionMinutes.Values);

    /// <summary>The anomalies, highest version per anomaly id.</summary>
    public IReadOnlyList<AnomalyRow> Anomalies => Snapshot(anomalies.Values);

    /// <inheritdoc />
    public Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        Append("page_views", rows, deduplicationToken, rawEvents, cancellationToken);

    /// <inheritdoc />
    public Task WriteLateEventsAsync(IReadOnlyList<LateEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        Append("late_events", rows, deduplicationToken, lateEvents, cancellationToken);

    /// <inheritdoc />
    public Task WriteDeadLettersAsync(IReadOnlyList<DeadLetterRow> rows, string deduplicationToken, CancellationToken cancellationToken = default) =>
        Append("dead_letters", rows, deduplicationToken, deadLetters, cancellationToken);

    /// <inheritdoc />
    public Task WritePageMinutesAsync(IReadOnlyList<PageMinuteRow> rows, CancellationToken cancellationToken = default) =>
        Upsert(rows, pageMinutes, r => (r.Page, r.Minute), r => r.Version, cancellationToken);

    /// <inheritdoc />
    public Task WriteSessionsAsync(IReadOnlyList<SessionRow> rows, CancellationToken cancellationToken = default) =>
        Upsert(rows, sessions, r => r.SessionId, r => r.Version, cancellationToken);

    /// <inheritdoc />
    public Task WriteSessionMinutesAsync(IReadOnlyList<SessionMinuteRow> rows, CancellationToken cancellationToken = default) =>
        Upsert(rows, sessionMinutes, r => r.Minute, r => r.Version, cancellationToken);

    /// <inheritdoc />
    public Task WriteAnomaliesAsync(IReadOnlyList<AnomalyRow> rows, CancellationToken cancellationToken = default) =>
        Upsert(rows, anomalies, r => r.AnomalyId, r => r.Version, cancellationToken);

    /// <inheritdoc />
    public Task RefreshSessionMinutesAsync(TimeSpan lookback, TimeSpan inactivityTimeout, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailing();
        var now = DateTime.UtcNow;
        var from = Minute(now - lookback);
        lock (gate)
        {
            var byMinute = new Dictionary<DateTime, List<SessionRow>>();
            foreach (var s in sessions.Values.Where(s => s.EndedAt >= now - lookback))
            {
                for (var m = Minute(s.StartedAt); m <= Minute(s.EndedAt); m = m.AddMinutes(1))
                {
                    if (m < from) continue;
                    if (!byMinute.TryGetValue(m, out var list)) byMinute[m] = list = [];
                    list.Add(s);
                }
            }
            var version = (ulong)new DateTimeOffset(now).ToUnixTimeMilliseconds();
            foreach (var (minute, list) in byMinute)
            {
                var started = list.Where(s => Minute(s.StartedAt) == minute).ToList();
                sessionMinutes[minute] = new SessionMinuteRow
                {
                    Minute = minute,
                    ActiveSessions = list.Count,
                    NewSessions = started.Count,
                    ClosedSessions = list.Count(s => Minute(s.EndedAt) == minute && s.EndedAt < now - inactivityTimeout),
                    AvgDurationMs = started.Count == 0 ? 0 : started.Average(s => (double)s.DurationMs),
                    BounceRate = started.Count == 0 ? 0 : started.Average(s => s.IsBounce ? 1.0 : 0.0),
                    Version = version,
                };
            }
        }
        return Task.CompletedTask;

        static DateTime Minute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<int, ArchivedOffsets>> GetArchivedOffsetsAsync(string topic, IReadOnlyCollection<int> partitions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(partitions);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailing();
        lock (gate)
        {
            IReadOnlyDictionary<int, ArchivedOffsets> result = partitions.Distinct().ToDictionary(p => p, p => new ArchivedOffsets(
                rawEvents.Where(r => r.KafkaTopic == topic && r.KafkaPartition == p).Select(r => (long?)r.KafkaOffset).Max(),
                deadLetters.Where(r => r.KafkaTopic == topic && r.KafkaPartition == p).Select(r => (long?)r.KafkaOffset).Max()));
            return Task.FromResult(result);
        }
    }

    private Task Append<TRow>(string table, IReadOnlyList<TRow> rows, string token, List<TRow> target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentException.ThrowIfNullOrWhiteSpace(token);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailing();
        Interlocked.Increment(ref writeCalls);
        lock (gate)
        {
            if (rows.Count > 0 && tokens.Add((table, token)))
            {
                target.AddRange(rows);
            }
        }

        return Task.CompletedTask;
    }

    private Task Upsert<TKey, TRow>(IReadOnlyList<TRow> rows, Dictionary<TKey, TRow> target, Func<TRow, TKey> key, Func<TRow, ulong> version, CancellationToken cancellationToken)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(rows);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailing();
        Interlocked.Increment(ref writeCalls);
        lock (gate)
        {
            foreach (var row in rows)
            {
                var k = key(row);
                if (!target.TryGetValue(k, out var existing) || version(row) >= version(existing))
                {
                    target[k] = row;
                }
            }
        }

        return Task.CompletedTask;
    }

    private void ThrowIfFailing()
    {
        if (failures.TryDequeue(out var exception))
        {
            throw exception;
        }
    }

    private List<T> Snapshot<T>(IEnumerable<T> source)
    {
        lock (gate)
        {
            return [.. source];
        }
    }
}
