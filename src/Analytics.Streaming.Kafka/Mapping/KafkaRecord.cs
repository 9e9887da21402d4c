namespace Analytics.Streaming.Kafka.Mapping;

/// <summary>One record as read from Kafka, before mapping.</summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset within the partition.</param>
/// <param name="Timestamp">The record timestamp (UTC), normally the producer's create time.</param>
/// <param name="Key">The raw key, or null.</param>
/// <param name="Value">The raw value, or null for a tombstone.</param>
public sealed record KafkaRecord(string Topic, int Partition, long Offset, DateTime Timestamp, byte[]? Key, byte[]? Value);
