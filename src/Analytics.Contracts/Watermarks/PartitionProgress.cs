namespace Analytics.Contracts.Watermarks;

/// <summary>What one Kafka partition's receiver has seen, reported periodically to the watermark grain.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.partition-progress.v1")]
public sealed record PartitionProgress
{
    /// <summary>The Kafka partition.</summary>
    [Id(0)] public required int Partition { get; init; }

    /// <summary>The highest event time seen on the partition (UTC), or null if nothing has been seen yet.</summary>
    [Id(1)] public DateTime? MaxEventTime { get; init; }

    /// <summary>
    /// When the receiver last polled a record from the partition, or began reading it if no record came yet (UTC
    /// wall clock). Null from a reader that knows no record time: the partition counts as idle.
    /// </summary>
    [Id(2)] public DateTime? LastRecordAt { get; init; }

    /// <summary>When the receiver produced this report (UTC wall clock).</summary>
    [Id(3)] public required DateTime ReportedAt { get; init; }
}
