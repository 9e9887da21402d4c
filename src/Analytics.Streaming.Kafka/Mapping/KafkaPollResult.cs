namespace Analytics.Streaming.Kafka.Mapping;

/// <summary>A record that mapped to a value.</summary>
/// <param name="Offset">Its offset.</param>
/// <param name="Timestamp">Its Kafka timestamp (UTC).</param>
/// <param name="Value">The mapped value.</param>
public readonly record struct KafkaAcceptedRecord(long Offset, DateTime Timestamp, object Value);

/// <summary>A record the mapper rejected, with its raw bytes kept.</summary>
/// <param name="Record">The raw record.</param>
/// <param name="Reason">Why it was rejected.</param>
public readonly record struct KafkaRejectedRecord(KafkaRecord Record, string Reason);

/// <summary>Everything one poll of one partition produced. Offsets are contiguous from first to last.</summary>
public sealed class KafkaPollResult
{
    /// <summary>The topic.</summary>
    public required string Topic { get; init; }

    /// <summary>The partition.</summary>
    public required int Partition { get; init; }

    /// <summary>The first offset of the poll, or -1 if the poll returned nothing.</summary>
    public long FirstOffset { get; init; } = -1;

    /// <summary>The last offset of the poll, or -1 if the poll returned nothing.</summary>
    public long LastOffset { get; init; } = -1;

    /// <summary>Records that mapped to values, in offset order.</summary>
    public IReadOnlyList<KafkaAcceptedRecord> Accepted { get; init; } = [];

    /// <summary>Records that were rejected, in offset order.</summary>
    public IReadOnlyList<KafkaRejectedRecord> Rejected { get; init; } = [];

    /// <summary>When the poll happened (UTC wall clock).</summary>
    public required DateTime PolledAt { get; init; }

    /// <summary>Whether the poll returned no record.</summary>
    public bool IsEmpty => FirstOffset < 0;
}
