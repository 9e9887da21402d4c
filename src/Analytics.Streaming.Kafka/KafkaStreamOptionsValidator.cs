namespace Analytics.Streaming.Kafka;

/// <summary>Fails silo start-up with a message naming the offending option.</summary>
internal sealed class KafkaStreamOptionsValidator(KafkaStreamOptions options, string providerName) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        var prefix = $"Kafka stream provider '{providerName}': {nameof(KafkaStreamOptions)}.";
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.BootstrapServers)} is required (e.g. 127.0.0.1:9092).");
        if (string.IsNullOrWhiteSpace(options.Topic))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.Topic)} is required.");
        if (string.IsNullOrWhiteSpace(options.ConsumerGroup))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.ConsumerGroup)} is required.");
        if (options.Partitions < 0)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.Partitions)} must be 0 (discover) or positive, was {options.Partitions}.");
        if (options.MaxRecordsPerPoll <= 0)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MaxRecordsPerPoll)} must be positive, was {options.MaxRecordsPerPoll}.");
        if (options.MinPollInterval < TimeSpan.Zero || options.MinPollInterval > TimeSpan.FromSeconds(10))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MinPollInterval)} must be between 0 and 10 s, was {options.MinPollInterval}.");
        if (options.CommitInterval <= TimeSpan.Zero)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.CommitInterval)} must be positive, was {options.CommitInterval}.");
        if (options.AutoOffsetReset is not ("earliest" or "latest"))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.AutoOffsetReset)} must be 'earliest' or 'latest', was '{options.AutoOffsetReset}'.");
        if (options.MaxRecordBytes <= 0)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MaxRecordBytes)} must be positive, was {options.MaxRecordBytes}.");
    }
}
