namespace Analytics.ClickHouse.Schema;

/// <summary>
/// The ordered schema steps. Never edit a released step: add a new version that alters the tables
/// (and keep the column lists of <c>Writing/TableWriters.cs</c> in step: start-up verifies them).
/// </summary>
internal static class SchemaMigrations
{
    /// <summary>How many recent insert blocks a raw table remembers to recognise a repeated deduplication token.</summary>
    internal const int DeduplicationWindow = 10_000;

    public static IReadOnlyList<SchemaMigration> All { get; } =
    [
        new(1, "initial analytics tables", V1),
        new(2, "anomalies: one row per incident (ORDER BY anomaly_id)", V2),
    ];

    public static int LatestVersion => All[^1].Version;

    /// <summary>The bookkeeping table, created before any step runs.</summary>
    public static string CreateMigrationsTable(string db) => $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.SchemaMigrations}
        (
            version    UInt32,
            name       String,
            applied_at DateTime64(3, 'UTC')
        )
        ENGINE = ReplacingMergeTree
        ORDER BY version
        """;

    // TTLs are not part of the steps: they follow the options and are reconciled at every start-up (TtlPolicies).
    private static IReadOnlyList<string> V1(string db) =>
    [
        // Raw archive. Plain MergeTree (no physical duplicates, so the seed's count() query is exact) with insert
        // deduplication by token. Monthly partitions keep nearly every insert inside one partition, which makes it
        // atomic. The projection answers "highest archived offset per partition" without a scan.
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.PageViews}
        (
            timestamp       DateTime64(3, 'UTC'),
            page            String,
            user_id         String,
            session_id      String,
            event           LowCardinality(String),
            referrer        String,
            duration_ms     UInt32,
            user_agent      String,
            country         LowCardinality(String),
            kafka_topic     LowCardinality(String),
            kafka_partition Int32,
            kafka_offset    Int64,
            is_late         UInt8,
            ingested_at     DateTime64(3, 'UTC'),
            PROJECTION offsets_by_partition
            (
                SELECT kafka_topic, kafka_partition, max(kafka_offset), count()
                GROUP BY kafka_topic, kafka_partition
            )
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMM(timestamp)
        ORDER BY (page, timestamp)
        SETTINGS non_replicated_deduplication_window = {DeduplicationWindow}
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.PageViews1m}
        (
            page            String,
            minute          DateTime('UTC'),
            views           UInt64,
            unique_visitors UInt64,
            events          UInt64,
            events_by_type  Map(LowCardinality(String), UInt64),
            late_events     UInt64,
            version         UInt64,
            flushed_at      DateTime64(3, 'UTC')
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(minute)
        ORDER BY (page, minute)
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.LateEvents}
        (
            page            String,
            minute          DateTime('UTC'),
            timestamp       DateTime64(3, 'UTC'),
            event           LowCardinality(String),
            user_id         String,
            session_id      String,
            kafka_topic     LowCardinality(String),
            kafka_partition Int32,
            kafka_offset    Int64,
            watermark       DateTime64(3, 'UTC'),
            detected_at     DateTime64(3, 'UTC')
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMM(detected_at)
        ORDER BY (page, minute, timestamp)
        SETTINGS non_replicated_deduplication_window = {DeduplicationWindow}
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.DeadLetters}
        (
            received_at     DateTime64(3, 'UTC'),
            kafka_topic     LowCardinality(String),
            kafka_partition Int32,
            kafka_offset    Int64,
            kafka_timestamp Nullable(DateTime64(3, 'UTC')),
            reason          String,
            raw             String,
            raw_size        UInt32
        )
        ENGINE = MergeTree
        PARTITION BY toYYYYMM(received_at)
        ORDER BY (kafka_topic, kafka_partition, kafka_offset)
        SETTINGS non_replicated_deduplication_window = {DeduplicationWindow}
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.Sessions}
        (
            session_id  String,
            user_id     String,
            started_at  DateTime64(3, 'UTC'),
            ended_at    DateTime64(3, 'UTC'),
            duration_ms UInt64,
            page_count  UInt32,
            event_count UInt32,
            entry_page  String,
            exit_page   String,
            is_bounce   UInt8,
            version     UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(started_at)
        ORDER BY session_id
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.Sessions1m}
        (
            minute          DateTime('UTC'),
            active_sessions UInt64,
            new_sessions    UInt64,
            closed_sessions UInt64,
            avg_duration_ms Float64,
            bounce_rate     Float64,
            version         UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(minute)
        ORDER BY minute
        """,
        $"""
        CREATE TABLE IF NOT EXISTS `{db}`.{ClickHouseTables.Anomalies}
        (
            anomaly_id      String,
            detected_at     DateTime64(3, 'UTC'),
            scope           LowCardinality(String),
            page            String,
            direction       LowCardinality(String),
            observed_rate   Float64,
            baseline_mean   Float64,
            baseline_stddev Float64,
            z_score         Float64,
            ended_at        Nullable(DateTime64(3, 'UTC')),
            version         UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(detected_at)
        ORDER BY (detected_at, scope, page)
        """,
    ];

    // V1 ordered anomalies by (detected_at, scope, page), so an incident's end row (a newer version carrying
    // ended_at) never replaced its start row: the detection time is the start's, not the end's, and two incidents
    // of one page detected in the same millisecond would have collapsed into one. The row identity is the incident
    // id. A sorting key cannot be changed in place, so the table is rebuilt with its rows in one atomic statement
    // (CREATE OR REPLACE swaps the new table in once it is filled; Atomic databases, the default). Idempotent and
    // safe to run concurrently: a rerun rebuilds the already rebuilt table with the same rows.
    private static IReadOnlyList<string> V2(string db) =>
    [
        $"""
        CREATE OR REPLACE TABLE `{db}`.{ClickHouseTables.Anomalies}
        (
            anomaly_id      String,
            detected_at     DateTime64(3, 'UTC'),
            scope           LowCardinality(String),
            page            String,
            direction       LowCardinality(String),
            observed_rate   Float64,
            baseline_mean   Float64,
            baseline_stddev Float64,
            z_score         Float64,
            ended_at        Nullable(DateTime64(3, 'UTC')),
            version         UInt64
        )
        ENGINE = ReplacingMergeTree(version)
        PARTITION BY toYYYYMM(detected_at)
        ORDER BY anomaly_id
        AS SELECT anomaly_id, detected_at, scope, page, direction, observed_rate, baseline_mean, baseline_stddev,
                  z_score, ended_at, version
        FROM `{db}`.{ClickHouseTables.Anomalies}
        """,
    ];
}
