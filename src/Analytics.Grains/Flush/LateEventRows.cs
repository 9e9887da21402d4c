using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Flush;

namespace Analytics.Grains.Flush;

/// <summary>Late events as <c>late_events</c> rows.</summary>
public static class LateEventRows
{
    /// <summary>
    /// The rows of <paramref name="batch"/>, in its order. Depends only on the batch and the topic, so a repeated
    /// insert of a sealed batch sends the very same rows.
    /// </summary>
    public static List<LateEventRow> Of(SealedLateBatch batch, string topic) => batch.Events.Select(l => Of(l, topic)).ToList();

    /// <summary>The row of <paramref name="late"/>, read from <paramref name="topic"/>.</summary>
    public static LateEventRow Of(LateEvent late, string topic) => new()
    {
        Page = late.Event.Page,
        Minute = late.Minute,
        Timestamp = late.Event.Timestamp,
        Event = late.Event.EventType,
        UserId = late.Event.UserId,
        SessionId = late.Event.SessionId,
        KafkaTopic = topic,
        KafkaPartition = late.Event.Partition,
        KafkaOffset = late.Event.Offset,
        Watermark = late.Watermark,
        DetectedAt = late.DetectedAt,
    };
}
