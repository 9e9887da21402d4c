namespace Analytics.ClickHouse.Rows;

/// <summary>One well-formed event (including late ones) for the raw archive <c>page_views</c>.</summary>
/// <remarks>
/// Times are UTC: a <see cref="DateTime"/> of kind <see cref="DateTimeKind.Unspecified"/> is taken as UTC and one of
/// kind <see cref="DateTimeKind.Local"/> is converted. (<see cref="KafkaTopic"/>, <see cref="KafkaPartition"/>,
/// <see cref="KafkaOffset"/>) identify the record, so a replay can be recognised.
/// </remarks>
public sealed record RawEventRow
{
    /// <summary>The event time (UTC), stored with millisecond precision.</summary>
    public required DateTime Timestamp { get; init; }

    /// <summary>The page path. Never empty.</summary>
    public required string Page { get; init; }

    /// <summary>The visitor id, or an empty string.</summary>
    public string UserId { get; init; } = "";

    /// <summary>The session id, or an empty string.</summary>
    public string SessionId { get; init; } = "";

    /// <summary>The event type, e.g. <c>page_view</c>.</summary>
    public required string Event { get; init; }

    /// <summary>The referrer, or an empty string.</summary>
    public string Referrer { get; init; } = "";

    /// <summary>The time on page in milliseconds, 0 when absent.</summary>
    public uint DurationMs { get; init; }

    /// <summary>The user agent, or an empty string.</summary>
    public string UserAgent { get; init; } = "";

    /// <summary>The country code, or an empty string.</summary>
    public string Country { get; init; } = "";

    /// <summary>The Kafka topic the event was read from.</summary>
    public required string KafkaTopic { get; init; }

    /// <summary>The Kafka partition the event was read from.</summary>
    public required int KafkaPartition { get; init; }

    /// <summary>The Kafka offset of the record.</summary>
    public required long KafkaOffset { get; init; }

    /// <summary>Whether the event arrived behind the watermark (it is archived but not in the final rollup).</summary>
    public bool IsLate { get; init; }

    /// <summary>When the pipeline accepted the event (UTC wall clock).</summary>
    public required DateTime IngestedAt { get; init; }
}
