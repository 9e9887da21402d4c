namespace Analytics.Streaming.Kafka;

/// <summary>
/// Options of one Kafka stream provider. Bound per provider name; validated when the silo starts.
/// </summary>
public sealed class KafkaStreamOptions
{
    /// <summary>Kafka bootstrap servers, comma separated. Required. Defaults to <c>127.0.0.1:9092</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>The topic to consume. Required. Defaults to <c>analytics-events</c>.</summary>
    public string Topic { get; set; } = "analytics-events";

    /// <summary>
    /// The consumer group whose committed offsets mark how far the cluster has durably processed each partition.
    /// Defaults to <c>analytics-silo</c>.
    /// </summary>
    public string ConsumerGroup { get; set; } = "analytics-silo";

    /// <summary>
    /// Number of partitions of <see cref="Topic"/>; one Orleans queue is created per partition. 0 means: read it
    /// from the topic's metadata at start-up (start-up fails if the topic does not exist). Defaults to 0.
    /// </summary>
    public int Partitions { get; set; }

    /// <summary>
    /// Most records taken from one partition per poll; they are grouped per stream into batch containers.
    /// Defaults to 20,000.
    /// </summary>
    public int MaxRecordsPerPoll { get; set; } = 20_000;

    /// <summary>
    /// Shortest time between two polls of a partition that return records. Longer means fewer, larger batch
    /// containers (fewer grain calls) at the cost of latency. Defaults to 200 ms.
    /// </summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How often delivered offsets are stored for commit. Defaults to 1 s.</summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where to start when the group has no committed offset: <c>earliest</c> or <c>latest</c>. Defaults to <c>earliest</c>.</summary>
    public string AutoOffsetReset { get; set; } = "earliest";

    /// <summary>Records larger than this are rejected (dead-lettered) without parsing. Defaults to 64 KiB.</summary>
    public int MaxRecordBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Extra librdkafka consumer properties (e.g. <c>security.protocol</c>, <c>sasl.username</c>). Values are never
    /// logged. Defaults to none.
    /// </summary>
    public Dictionary<string, string> ConsumerProperties { get; set; } = new(StringComparer.Ordinal);
}
