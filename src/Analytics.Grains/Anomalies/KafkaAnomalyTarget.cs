using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Produces each notification as JSON (<see cref="AnomalyMessage"/>) to <see cref="AnomalyKafkaOptions.Topic"/>,
/// keyed by incident id, with a <c>kind</c> header. One idempotent producer (<c>acks=all</c>) per process, built
/// on first use and flushed on disposal. A message the broker did not acknowledge within
/// <see cref="AnomalyKafkaOptions.DeliveryTimeout"/> is left undone and retried later; consumers can deduplicate
/// on <c>notification_id</c> if a publisher died between a produce and its bookkeeping.
/// </summary>
public sealed partial class KafkaAnomalyTarget(
    IOptions<AnomalyKafkaOptions> options,
    ILogger<KafkaAnomalyTarget> logger) : IAnomalyTarget, IDisposable
{
    private readonly Lock _gate = new();
    private IProducer<string, byte[]>? _producer;
    private bool _disposed;

    /// <inheritdoc />
    public AnomalyTargets Target => AnomalyTargets.Kafka;

    /// <inheritdoc />
    public bool IsEnabled => options.Value.Enabled;

    /// <inheritdoc />
    public async Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var producer = Producer();
        var topic = options.Value.Topic;
        var sends = deliveries.Select(d => SendAsync(producer, topic, d, cancellationToken)).ToArray();
        return await Task.WhenAll(sends).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        IProducer<string, byte[]>? producer;
        lock (_gate)
        {
            _disposed = true;
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
        {
            return;
        }

        try
        {
            producer.Flush(TimeSpan.FromSeconds(10));
        }
        catch (KafkaException ex)
        {
            LogFlushFailed(ex);
        }

        producer.Dispose();
    }

    /// <summary>The librdkafka settings of the producer, extra properties applied under ours for safety.</summary>
    internal static ProducerConfig BuildConfig(AnomalyKafkaOptions options)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            LingerMs = 5,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            SocketNagleDisable = true,
            ClientId = "analytics-anomalies",
        };
        foreach (var (key, value) in options.ProducerProperties)
        {
            config.Set(key, value);
        }

        // Never weakened by extra properties: every notification is acknowledged by all in-sync replicas, once.
        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        return config;
    }

    private async Task<bool> SendAsync(IProducer<string, byte[]> producer, string topic, AnomalyDelivery delivery, CancellationToken cancellationToken)
    {
        var notification = delivery.Notification;
        var message = new Message<string, byte[]>
        {
            Key = notification.IncidentId,
            Value = AnomalyMessage.Serialize(notification),
            Headers = new Headers { { "kind", Encoding.UTF8.GetBytes(notification.Kind) } },
        };
        try
        {
            var result = await producer.ProduceAsync(topic, message, cancellationToken).ConfigureAwait(false);
            return result.Status == PersistenceStatus.Persisted;
        }
        catch (ProduceException<string, byte[]> ex)
        {
            LogProduceFailed(delivery.Key, topic, ex.Error.Code.ToString(), ex.Error.Reason);
            return false;
        }
    }

    private IProducer<string, byte[]> Producer()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _producer ??= new ProducerBuilder<string, byte[]>(BuildConfig(options.Value))
                .SetErrorHandler((_, error) => LogClientError(error.Code.ToString(), error.Reason, error.IsFatal))
                .SetLogHandler((_, message) => LogClientMessage(message.Facility, message.Message))
                .Build();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Producing anomaly notification {Key} to {Topic} failed ({Code}: {Reason}); will retry.")]
    private partial void LogProduceFailed(string key, string topic, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anomaly producer: Kafka client error {Code}: {Reason} (fatal: {IsFatal}).")]
    private partial void LogClientError(string code, string reason, bool isFatal);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Anomaly producer: librdkafka {Facility}: {Message}")]
    private partial void LogClientMessage(string facility, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flushing the anomaly producer at shutdown failed.")]
    private partial void LogFlushFailed(Exception ex);
}
