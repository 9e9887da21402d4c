using Analytics.ClickHouse.Rows;
using Analytics.ClickHouse.Schema;
using static Analytics.ClickHouse.Writing.ValueConversions;

namespace Analytics.ClickHouse.Writing;

/// <summary>
/// The insert layout of every row type. Types are spelled as <c>system.columns</c> prints them: start-up compares
/// them with the live schema, so a migration that changes a column without changing its writer fails fast.
/// </summary>
internal static class TableWriters
{
    private const string DateTime64Utc = "DateTime64(3, 'UTC')";
    private const string MinuteUtc = "DateTime('UTC')";
    private const string LowCardinalityString = "LowCardinality(String)";

    public static TableWriter<RawEventRow> RawEvents { get; } = new(ClickHouseTables.PageViews,
    [
        new("timestamp", DateTime64Utc, r => Utc(r.Timestamp)),
        new("page", "String", r => r.Page),
        new("user_id", "String", r => r.UserId),
        new("session_id", "String", r => r.SessionId),
        new("event", LowCardinalityString, r => r.Event),
        new("referrer", "String", r => r.Referrer),
        new("duration_ms", "UInt32", r => r.DurationMs),
        new("user_agent", "String", r => r.UserAgent),
        new("country", LowCardinalityString, r => r.Country),
        new("kafka_topic", LowCardinalityString, r => r.KafkaTopic),
        new("kafka_partition", "Int32", r => r.KafkaPartition),
        new("kafka_offset", "Int64", r => r.KafkaOffset),
        new("is_late", "UInt8", r => Flag(r.IsLate)),
        new("ingested_at", DateTime64Utc, r => Utc(r.IngestedAt)),
    ]);

    public static TableWriter<PageMinuteRow> PageMinutes { get; } = new(ClickHouseTables.PageViews1m,
    [
        new("page", "String", r => r.Page),
        new("minute", MinuteUtc, r => Utc(r.Minute)),
        new("views", "UInt64", r => Count(r.Views, "views")),
        new("unique_visitors", "UInt64", r => Count(r.UniqueVisitors, "unique_visitors")),
        new("events", "UInt64", r => Count(r.Events, "events")),
        new("events_by_type", "Map(LowCardinality(String), UInt64)", r => CountMap(r.EventsByType, "events_by_type")),
        new("late_events", "UInt64", r => Count(r.LateEvents, "late_events")),
        new("version", "UInt64", r => r.Version),
        new("flushed_at", DateTime64Utc, r => Utc(r.FlushedAt)),
    ]);

    public static TableWriter<LateEventRow> LateEvents { get; } = new(ClickHouseTables.LateEvents,
    [
        new("page", "String", r => r.Page),
        new("minute", MinuteUtc, r => Utc(r.Minute)),
        new("timestamp", DateTime64Utc, r => Utc(r.Timestamp)),
        new("event", LowCardinalityString, r => r.Event),
        new("user_id", "String", r => r.UserId),
        new("session_id", "String", r => r.SessionId),
        new("kafka_topic", LowCardinalityString, r => r.KafkaTopic),
        new("kafka_partition", "Int32", r => r.KafkaPartition),
        new("kafka_offset", "Int64", r => r.KafkaOffset),
        new("watermark", DateTime64Utc, r => Utc(r.Watermark)),
        new("detected_at", DateTime64Utc, r => Utc(r.DetectedAt)),
    ]);

    public static TableWriter<DeadLetterRow> DeadLetters { get; } = new(ClickHouseTables.DeadLetters,
    [
        new("received_at", DateTime64Utc, r => Utc(r.ReceivedAt)),
        new("kafka_topic", LowCardinalityString, r => r.KafkaTopic),
        new("kafka_partition", "Int32", r => r.KafkaPartition),
        new("kafka_offset", "Int64", r => r.KafkaOffset),
        new("kafka_timestamp", "Nullable(DateTime64(3, 'UTC'))", r => Utc(r.KafkaTimestamp)),
        new("reason", "String", r => r.Reason),
        new("raw", "String", r => Bytes(r.Raw)),
        new("raw_size", "UInt32", r => r.RawSize ?? (uint)r.Raw.Length),
    ]);

    public static TableWriter<SessionRow> Sessions { get; } = new(ClickHouseTables.Sessions,
    [
        new("session_id", "String", r => r.SessionId),
        new("user_id", "String", r => r.UserId),
        new("started_at", DateTime64Utc, r => Utc(r.StartedAt)),
        new("ended_at", DateTime64Utc, r => Utc(r.EndedAt)),
        new("duration_ms", "UInt64", r => Count(r.DurationMs, "duration_ms")),
        new("page_count", "UInt32", r => Count32(r.PageCount, "page_count")),
        new("event_count", "UInt32", r => Count32(r.EventCount, "event_count")),
        new("entry_page", "String", r => r.EntryPage),
        new("exit_page", "String", r => r.ExitPage),
        new("is_bounce", "UInt8", r => Flag(r.IsBounce)),
        new("version", "UInt64", r => r.Version),
    ]);

    public static TableWriter<SessionMinuteRow> SessionMinutes { get; } = new(ClickHouseTables.Sessions1m,
    [
        new("minute", MinuteUtc, r => Utc(r.Minute)),
        new("active_sessions", "UInt64", r => Count(r.ActiveSessions, "active_sessions")),
        new("new_sessions", "UInt64", r => Count(r.NewSessions, "new_sessions")),
        new("closed_sessions", "UInt64", r => Count(r.ClosedSessions, "closed_sessions")),
        new("avg_duration_ms", "Float64", r => r.AvgDurationMs),
        new("bounce_rate", "Float64", r => r.BounceRate),
        new("version", "UInt64", r => r.Version),
    ]);

    public static TableWriter<AnomalyRow> Anomalies { get; } = new(ClickHouseTables.Anomalies,
    [
        new("anomaly_id", "String", r => r.AnomalyId),
        new("detected_at", DateTime64Utc, r => Utc(r.DetectedAt)),
        new("scope", LowCardinalityString, r => Name(r.Scope)),
        new("page", "String", r => r.Page),
        new("direction", LowCardinalityString, r => Name(r.Direction)),
        new("observed_rate", "Float64", r => r.ObservedRate),
        new("baseline_mean", "Float64", r => r.BaselineMean),
        new("baseline_stddev", "Float64", r => r.BaselineStddev),
        new("z_score", "Float64", r => r.ZScore),
        new("ended_at", "Nullable(DateTime64(3, 'UTC'))", r => Utc(r.EndedAt)),
        new("version", "UInt64", r => r.Version),
    ]);

    /// <summary>Every table's column types by table name, for the start-up schema check.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> ColumnTypesByTable { get; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal)
        {
            [RawEvents.Table] = RawEvents.ColumnTypes,
            [PageMinutes.Table] = PageMinutes.ColumnTypes,
            [LateEvents.Table] = LateEvents.ColumnTypes,
            [DeadLetters.Table] = DeadLetters.ColumnTypes,
            [Sessions.Table] = Sessions.ColumnTypes,
            [SessionMinutes.Table] = SessionMinutes.ColumnTypes,
            [Anomalies.Table] = Anomalies.ColumnTypes,
        };
}
