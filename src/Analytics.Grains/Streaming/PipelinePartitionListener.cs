using Analytics.ClickHouse.Rows;
using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Grains.Archive;
using Analytics.Grains.Watermarks;
using Analytics.Grains.Windows;
using Analytics.Streaming.Kafka;
using Analytics.Streaming.Kafka.Mapping;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Streaming;

/// <summary>
/// What happens to a poll outside the grains: partition progress for the watermark, and the archive of every
/// record (events and dead letters) whose durability gates the partition's offset commit.
/// </summary>
public sealed class PipelinePartitionListener(
    EventArchiver archiver,
    PartitionProgressRegistry progress,
    WatermarkView watermark,
    IOptionsMonitor<KafkaStreamOptions> kafkaOptions,
    IEnumerable<IPollObserver> observers,
    TimeProvider time) : IKafkaPartitionListener
{
    private readonly string _topic = kafkaOptions.Get(StreamNamespaces.ProviderName).Topic;
    private readonly IPollObserver[] _observers = observers.ToArray();

    /// <inheritdoc />
    public Task OnPartitionStartingAsync(int partition, CancellationToken cancellationToken) =>
        archiver.StartPartitionAsync(_topic, partition, cancellationToken);

    /// <inheritdoc />
    public void OnPolled(KafkaPollResult poll)
    {
        DateTime? maxEventTime = null;
        if (poll.IsEmpty)
        {
            progress.OnPolled(poll.Partition, null, poll.PolledAt);
            return;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var currentWatermark = watermark.Current ?? DateTime.MinValue;
        var events = new List<RawEventRow>(poll.Accepted.Count);
        var parsed = _observers.Length == 0 ? null : new List<AnalyticsEvent>(poll.Accepted.Count);
        foreach (var accepted in poll.Accepted)
        {
            var evt = (AnalyticsEvent)accepted.Value;
            parsed?.Add(evt);
            // A producer's clock can run ahead; the watermark follows no event past the time Kafka received it.
            var eventTime = evt.Timestamp <= accepted.Timestamp ? evt.Timestamp : accepted.Timestamp;
            if (maxEventTime is null || eventTime > maxEventTime) maxEventTime = eventTime;
            events.Add(ToRow(poll.Topic, evt, PageWindows.MinuteOf(evt.Timestamp).AddMinutes(1) <= currentWatermark, now));
        }
        var deadLetters = poll.Rejected.Select(r => ToRow(r, now)).ToList();
        progress.OnPolled(poll.Partition, maxEventTime, poll.PolledAt);
        if (parsed is { Count: > 0 })
        {
            foreach (var observer in _observers) observer.OnEvents(poll.Partition, parsed, poll.PolledAt);
        }
        archiver.Enqueue(poll.Topic, poll.Partition, poll.FirstOffset, poll.LastOffset, events, deadLetters);
    }

    /// <inheritdoc />
    public long? GetDurableOffset(int partition) => archiver.DurableOffset(partition);

    /// <inheritdoc />
    public bool IsSaturated => archiver.IsSaturated;

    /// <inheritdoc />
    public async Task OnPartitionStoppedAsync(int partition, CancellationToken cancellationToken)
    {
        progress.Remove(partition);
        await archiver.StopPartitionAsync(partition, cancellationToken).ConfigureAwait(false);
    }

    private static RawEventRow ToRow(string topic, AnalyticsEvent evt, bool isLate, DateTime now) => new()
    {
        Timestamp = evt.Timestamp,
        Page = evt.Page,
        UserId = evt.UserId,
        SessionId = evt.SessionId,
        Event = evt.EventType,
        Referrer = evt.Referrer,
        DurationMs = evt.DurationMs,
        UserAgent = evt.UserAgent,
        Country = evt.Country,
        KafkaTopic = topic,
        KafkaPartition = evt.Partition,
        KafkaOffset = evt.Offset,
        IsLate = isLate,
        IngestedAt = now,
    };

    private static DeadLetterRow ToRow(KafkaRejectedRecord rejected, DateTime now) => new()
    {
        ReceivedAt = now,
        KafkaTopic = rejected.Record.Topic,
        KafkaPartition = rejected.Record.Partition,
        KafkaOffset = rejected.Record.Offset,
        KafkaTimestamp = rejected.Record.Timestamp,
        Reason = rejected.Reason,
        Raw = rejected.Record.Value ?? [],
        RawSize = (uint)(rejected.Record.Value?.Length ?? 0),
    };
}
