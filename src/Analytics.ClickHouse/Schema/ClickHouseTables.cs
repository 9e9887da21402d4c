namespace Analytics.ClickHouse.Schema;

/// <summary>Names of the tables in the analytics database (the database name is <see cref="ClickHouseOptions.Database"/>).</summary>
public static class ClickHouseTables
{
    /// <summary>Raw archive of every well-formed event, including late ones.</summary>
    public const string PageViews = "page_views";

    /// <summary>One-minute rollups per page (ReplacingMergeTree; read with <c>FINAL</c>).</summary>
    public const string PageViews1m = "page_views_1m";

    /// <summary>Events that arrived behind the watermark.</summary>
    public const string LateEvents = "late_events";

    /// <summary>Rejected messages with their raw bytes.</summary>
    public const string DeadLetters = "dead_letters";

    /// <summary>Closed sessions (ReplacingMergeTree; read with <c>FINAL</c>).</summary>
    public const string Sessions = "sessions";

    /// <summary>Site-wide session statistics per minute (ReplacingMergeTree; read with <c>FINAL</c>).</summary>
    public const string Sessions1m = "sessions_1m";

    /// <summary>Detected anomalies (ReplacingMergeTree; read with <c>FINAL</c>).</summary>
    public const string Anomalies = "anomalies";

    /// <summary>The schema versions applied so far.</summary>
    public const string SchemaMigrations = "schema_migrations";
}
