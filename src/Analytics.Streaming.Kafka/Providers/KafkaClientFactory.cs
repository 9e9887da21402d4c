using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>Builds Kafka clients from the provider options.</summary>
internal static partial class KafkaClientFactory
{
    public static IConsumer<byte[]?, byte[]?> CreateConsumer(KafkaStreamOptions options, ILogger logger)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(options.ConsumerProperties))
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.ConsumerGroup,
            // We assign partitions ourselves (Orleans balances queues) and commit what is delivered and durable.
            EnableAutoCommit = true,
            AutoCommitIntervalMs = (int)Math.Max(100, options.CommitInterval.TotalMilliseconds),
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.AutoOffsetReset == "latest" ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
            FetchWaitMaxMs = 50,
            QueuedMaxMessagesKbytes = 64 * 1024,
            SocketNagleDisable = true,
            // Only the timestamp: the topic is known (one per receiver) and headers are unused, so the client
            // neither copies them nor allocates a topic string per message.
            ConsumeResultFields = "timestamp",
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => LogClientError(logger, error.Code.ToString(), error.Reason, error.IsFatal))
            .SetLogHandler((_, message) => LogClientMessage(logger, message.Facility, message.Message))
            .Build();
    }

    /// <summary>Reads the partition count of the configured topic from the cluster metadata.</summary>
    public static int DiscoverPartitions(KafkaStreamOptions options, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig(new Dictionary<string, string>(options.ConsumerProperties))
        {
            BootstrapServers = options.BootstrapServers,
        }).Build();
        var metadata = admin.GetMetadata(options.Topic, timeout);
        var topic = metadata.Topics.FirstOrDefault(t => t.Topic == options.Topic);
        if (topic is null || topic.Error.IsError || topic.Partitions.Count == 0)
        {
            throw new InvalidOperationException(
                $"Kafka topic '{options.Topic}' was not found at {options.BootstrapServers} ({topic?.Error.Reason ?? "no metadata"}). " +
                "Create it (the dev stack pre-creates it: infra/dev/stack.sh start) or set KafkaStreamOptions.Partitions.");
        }
        return topic.Partitions.Count;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason} (fatal: {IsFatal}).")]
    private static partial void LogClientError(ILogger logger, string code, string reason, bool isFatal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Facility}: {Message}")]
    private static partial void LogClientMessage(ILogger logger, string facility, string message);
}
