namespace Analytics.ClickHouse.Rows;

/// <summary>An event that arrived behind the watermark, for <c>late_events</c>.</summary>
public sealed record LateEventRow
{
    /// <summary>The page path.</summary>
    public required string Page { get; init; }

    /// <summary>The window (minute start, UTC) the event belongs to.</summary>
    public required DateTime Minute { get; init; }

    /// <summary>The event time (UTC).</summary>
    public required DateTime Timestamp { get; init; }

    /// <summary>The event type.</summary>
    public required string Event { get; init; }

    /// <summary>The visitor id, or an empty string.</summary>
    public string UserId { get; init; } = "";

    /// <summary>The session id, or an empty string.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>The Kafka topic the event was read from.</summary>
    public required string KafkaTopic { get; init; }

    /// <summary>The Kafka partition the event was read from.</summary>
    public required int KafkaPartition { get; init; }

    /// <summary>The Kafka offset of the record.</summary>
    public required long KafkaOffset { get; init; }

    /// <summary>The watermark (UTC) in force when the event was judged late.</summary>
    public required DateTime Watermark { get; init; }

    /// <summary>When the event was judged late (UTC wall clock).</summary>
    public required DateTime DetectedAt { get; init; }
}
