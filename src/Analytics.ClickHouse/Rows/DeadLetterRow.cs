namespace Analytics.ClickHouse.Rows;

/// <summary>A message that could not be accepted, for <c>dead_letters</c>, with its raw bytes kept exactly.</summary>
public sealed record DeadLetterRow
{
    /// <summary>When the pipeline received the message (UTC wall clock).</summary>
    public required DateTime ReceivedAt { get; init; }

    /// <summary>The Kafka topic of the message.</summary>
    public required string KafkaTopic { get; init; }

    /// <summary>The Kafka partition of the message.</summary>
    public required int KafkaPartition { get; init; }

    /// <summary>The Kafka offset of the message.</summary>
    public required long KafkaOffset { get; init; }

    /// <summary>The Kafka record timestamp (UTC), or <see langword="null"/> when the record had none.</summary>
    public DateTime? KafkaTimestamp { get; init; }

    /// <summary>Why the message was rejected, e.g. <c>invalid_json</c> or <c>missing_page: ...</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The message value as received (possibly truncated by the caller for oversized messages).</summary>
    public required ReadOnlyMemory<byte> Raw { get; init; }

    /// <summary>
    /// The size of the original message in bytes. Defaults to the length of <see cref="Raw"/>; set it when
    /// <see cref="Raw"/> was truncated.
    /// </summary>
    public uint? RawSize { get; init; }
}
