using Confluent.Kafka;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>How far a consumer group's committed offsets trail the end of each partition of a topic.</summary>
public static class ConsumerGroupLag
{
    /// <summary>Per partition: the high watermark minus the group's committed offset (everything, if none).</summary>
    public static Task<Dictionary<int, long>> CommittedLagAsync(string bootstrapServers, string group, string topic, int partitions) =>
        Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = group,
                EnableAutoCommit = false,
            }).Build();
            var topicPartitions = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToList();
            var committed = consumer.Committed(topicPartitions, TimeSpan.FromSeconds(10));
            return committed.ToDictionary(
                c => c.Partition.Value,
                c =>
                {
                    var high = consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).High.Value;
                    return high - Math.Max(0, c.Offset.Value);
                });
        });
}
