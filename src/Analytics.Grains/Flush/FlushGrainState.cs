using Analytics.Contracts.Flush;

namespace Analytics.Grains.Flush;

/// <summary>
/// What a flush grain persists: the late events handed to it and not yet in <c>late_events</c>. Rollups are not
/// here on purpose: page grains keep them until the flush grain acknowledges them, so they survive without it.
/// Bounded by <see cref="LateEventLedger.DefaultCapacity"/> events plus
/// <see cref="LateEventLedger.RememberedPositions"/> positions.
/// </summary>
[GenerateSerializer]
[Alias("analytics.flush-grain-state.v1")]
public sealed class FlushGrainState
{
    /// <summary>Late events accepted and not yet sealed into a batch, in arrival order.</summary>
    [Id(0)] public List<LateEvent> Pending { get; set; } = [];

    /// <summary>
    /// The batch being written, with its deduplication token; it is retried unchanged until it has landed, also by
    /// a new activation after a crash. Null when nothing is being written.
    /// </summary>
    [Id(1)] public SealedLateBatch? Sealed { get; set; }

    /// <summary>
    /// Kafka positions of the most recently written late events, oldest first, so that a page grain handing the same
    /// events over again (it crashed before persisting that they were handed over) does not get them written twice.
    /// </summary>
    [Id(2)] public List<KafkaPosition> Written { get; set; } = [];
}

/// <summary>A batch of late events fixed for writing, and the token that names it in ClickHouse.</summary>
/// <param name="Token">The insert deduplication token: derived from the batch's Kafka positions only.</param>
/// <param name="Events">The events, ordered by partition and offset.</param>
[GenerateSerializer, Immutable]
[Alias("analytics.sealed-late-batch.v1")]
public sealed record SealedLateBatch([property: Id(0)] string Token, [property: Id(1)] LateEvent[] Events);

/// <summary>Where a record sits in Kafka: what identifies a late event (one Kafka record reaches one page).</summary>
/// <param name="Partition">The Kafka partition.</param>
/// <param name="Offset">The offset within <paramref name="Partition"/>.</param>
[GenerateSerializer, Immutable]
[Alias("analytics.kafka-position.v1")]
public readonly record struct KafkaPosition([property: Id(0)] int Partition, [property: Id(1)] long Offset)
{
    /// <summary>The position of <paramref name="late"/>.</summary>
    public static KafkaPosition Of(LateEvent late) => new(late.Event.Partition, late.Event.Offset);
}
