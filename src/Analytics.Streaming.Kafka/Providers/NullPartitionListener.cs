using Analytics.Streaming.Kafka.Mapping;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>Used when the application registers no listener: offsets are gated by delivery alone.</summary>
internal sealed class NullPartitionListener : IKafkaPartitionListener
{
    public static readonly NullPartitionListener Instance = new();

    public Task OnPartitionStartingAsync(int partition, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnPolled(KafkaPollResult poll) { }

    public long? GetDurableOffset(int partition) => null;

    public bool IsSaturated => false;

    public Task OnPartitionStoppedAsync(int partition, CancellationToken cancellationToken) => Task.CompletedTask;
}
