using Analytics.Streaming.Kafka.Mapping;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// Reads one Kafka partition (one Orleans queue). Polls without blocking (librdkafka prefetches in its own
/// threads), groups each poll per stream, and stores an offset for commit only once every record below it was
/// delivered to its grains and the partition listener made its side effects durable.
/// </summary>
internal sealed partial class KafkaQueueAdapterReceiver : IQueueAdapterReceiver
{
    private readonly KafkaStreamOptions _options;
    private readonly int _partition;
    private readonly IKafkaPartitionListener _listener;
    private readonly KafkaStreamMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PollBuilder _poll;
    private readonly DeliveryTracker _tracker = new();
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private readonly TopicPartition _topicPartition;
    private long _lastStored = -1;
    private long _lastPollWithRecords;
    private long _lastCommitCheck;
    private long _lastStartAttempt;
    private int _startFailures;
    private bool _shutDown;

    public KafkaQueueAdapterReceiver(
        KafkaStreamOptions options, int partition, IKafkaRecordMapper mapper, IKafkaPartitionListener listener,
        KafkaStreamMetrics metrics, TimeProvider time, ILogger<KafkaQueueAdapterReceiver> logger)
    {
        _options = options;
        _partition = partition;
        _listener = listener;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _poll = new PollBuilder(mapper, options.MaxRecordBytes);
        _topicPartition = new TopicPartition(options.Topic, partition);
    }

    public Task Initialize(TimeSpan timeout) => Initialize(timeout, CancellationToken.None);

    public async Task Initialize(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        await TryStartAsync(timeoutSource.Token);
    }

    /// <summary>
    /// Starts reading the partition. A failure (e.g. the listener cannot reach its store yet) is logged and
    /// retried from the poll loop with backoff, so a partition never stays unread after a slow start.
    /// </summary>
    private async Task<bool> TryStartAsync(CancellationToken cancellationToken)
    {
        _lastStartAttempt = _time.GetTimestamp();
        try
        {
            await _listener.OnPartitionStartingAsync(_partition, cancellationToken);
        }
        catch (Exception ex)
        {
            _startFailures++;
            LogStartFailed(_options.Topic, _partition, _startFailures, ex);
            return false;
        }
        var consumer = KafkaClientFactory.CreateConsumer(_options, _logger);
        // Offset.Stored resumes from the group's committed offset (or auto.offset.reset): the durable position.
        consumer.Assign(new TopicPartitionOffset(_topicPartition, Offset.Stored));
        _consumer = consumer;
        _tracker.Clear();
        _lastStored = -1;
        _startFailures = 0;
        LogStarted(_options.Topic, _partition, _options.ConsumerGroup);
        return true;
    }

    private TimeSpan StartBackoff => TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(_startFailures, 6))));

    public Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount) => GetQueueMessagesAsync(maxCount, CancellationToken.None);

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount, CancellationToken cancellationToken)
    {
        if (_consumer is null)
        {
            if (_shutDown || _time.GetElapsedTime(_lastStartAttempt) < StartBackoff || !await TryStartAsync(cancellationToken)) return [];
        }
        return Poll(_consumer!, maxCount, cancellationToken);
    }

    private IList<IBatchContainer> Poll(IConsumer<byte[]?, byte[]?> consumer, int maxCount, CancellationToken cancellationToken)
    {

        var now = _time.GetTimestamp();
        StoreCommittableOffset(consumer, now);
        // Wait at least MinPollInterval between polls that carry records: fewer, fuller containers per grain.
        if (_time.GetElapsedTime(_lastPollWithRecords, now) < _options.MinPollInterval || _listener.IsSaturated)
            return [];

        // Each record can open up to two containers (page and session); stay under the cache's limit.
        var containerLimit = maxCount <= 0 ? int.MaxValue : Math.Max(1, maxCount - 2);
        while (_poll.Count < _options.MaxRecordsPerPoll && _poll.ContainerCount < containerLimit && !cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                // Zero timeout: returns what librdkafka already prefetched, never blocks the agent's turn.
                result = consumer.Consume(TimeSpan.Zero);
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                LogConsumeError(_options.Topic, _partition, ex.Error.Reason);
                break;
            }
            if (result is null) break;
            if (result.IsPartitionEOF || result.Message is null) continue;
            var message = result.Message;
            _poll.Add(new KafkaRecord(_options.Topic, _partition, result.Offset.Value,
                message.Timestamp.UtcDateTime, message.Key, message.Value));
        }

        var (containers, poll) = _poll.Complete(_options.Topic, _partition, _time.GetUtcNow().UtcDateTime);
        _listener.OnPolled(poll);
        if (poll.IsEmpty) return [];

        _lastPollWithRecords = now;
        _tracker.OnPolled(containers.Select(c => ((KafkaBatchContainer)c).Token.SequenceNumber), poll.LastOffset);
        _metrics.RecordsConsumed.Add(poll.LastOffset - poll.FirstOffset + 1, new KeyValuePair<string, object?>("partition", _partition));
        if (poll.Rejected.Count > 0) _metrics.RecordsRejected.Add(poll.Rejected.Count, new KeyValuePair<string, object?>("partition", _partition));
        UpdateLag(consumer);
        return containers;
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages) => MessagesDeliveredAsync(messages, CancellationToken.None);

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            if (message is KafkaBatchContainer container) _tracker.OnDelivered(container.Token.SequenceNumber);
        }
        _metrics.ContainersDelivered.Add(messages.Count);
        if (_consumer is { } consumer) StoreCommittableOffset(consumer, _time.GetTimestamp());
        return Task.CompletedTask;
    }

    public Task Shutdown(TimeSpan timeout) => Shutdown(timeout, CancellationToken.None);

    public async Task Shutdown(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _shutDown = true;
        var consumer = _consumer;
        _consumer = null;
        if (consumer is null) return;
        StoreCommittableOffset(consumer, _time.GetTimestamp(), force: true);
        // Close commits the stored offsets and leaves cleanly; it blocks on the network, so not on the agent's turn.
        await Task.Run(() =>
        {
            try { consumer.Close(); }
            catch (KafkaException ex) { LogCloseFailed(_options.Topic, _partition, ex.Error.Reason); }
            finally { consumer.Dispose(); }
        }, CancellationToken.None);
        _metrics.RemoveLag(_options.Topic, _partition);
        await _listener.OnPartitionStoppedAsync(_partition, cancellationToken);
        LogStopped(_options.Topic, _partition, _lastStored);
    }

    /// <summary>Stores (for librdkafka's background commit) the highest offset that is delivered and durable.</summary>
    private void StoreCommittableOffset(IConsumer<byte[]?, byte[]?> consumer, long now, bool force = false)
    {
        if (!force && _time.GetElapsedTime(_lastCommitCheck, now) < _options.CommitInterval) return;
        _lastCommitCheck = now;
        var committable = CommitRule.Committable(_tracker.DeliveredBelow(), _listener.GetDurableOffset(_partition));
        if (committable <= _lastStored) return;
        try
        {
            consumer.StoreOffset(new TopicPartitionOffset(_topicPartition, new Offset(committable)));
            _metrics.OffsetsCommitted.Add(committable - Math.Max(_lastStored, 0));
            _lastStored = committable;
        }
        catch (KafkaException ex)
        {
            // The partition may be mid-reassignment; the next check stores it again.
            LogStoreFailed(_options.Topic, _partition, committable, ex.Error.Reason);
        }
    }

    private void UpdateLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        // Cached from fetch responses: no network round trip.
        var watermarks = consumer.GetWatermarkOffsets(_topicPartition);
        if (watermarks.High.Value >= 0 && _tracker.NextAfterPolled >= 0)
            _metrics.SetLag(_options.Topic, _partition, Math.Max(0, watermarks.High.Value - _tracker.NextAfterPolled));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading {Topic}[{Partition}] for consumer group {Group}.")]
    private partial void LogStarted(string topic, int partition, string group);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not start reading {Topic}[{Partition}] (attempt {Attempt}); retrying with backoff.")]
    private partial void LogStartFailed(string topic, int partition, int attempt, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped reading {Topic}[{Partition}]; last stored offset {Offset}.")]
    private partial void LogStopped(string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error on {Topic}[{Partition}]: {Reason}. Retrying on the next poll.")]
    private partial void LogConsumeError(string topic, int partition, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store offset {Offset} for {Topic}[{Partition}]: {Reason}.")]
    private partial void LogStoreFailed(string topic, int partition, long offset, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing the consumer of {Topic}[{Partition}] failed: {Reason}.")]
    private partial void LogCloseFailed(string topic, int partition, string reason);
}
