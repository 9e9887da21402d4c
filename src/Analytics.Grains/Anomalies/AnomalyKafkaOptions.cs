using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The Kafka topic anomalies are published to as JSON (<see cref="AnomalyMessage"/>), configuration section
/// <c>Anomalies:Kafka</c> (environment: <c>Anomalies__Kafka__Topic=...</c>). One idempotent producer with
/// <c>acks=all</c> per process; the message key is the incident id, so an incident's start and end share a
/// partition and stay in order.
/// </summary>
public sealed class AnomalyKafkaOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Anomalies:Kafka";

    /// <summary>Whether anomalies are produced to Kafka. Defaults to <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The topic. Defaults to <c>analytics-anomalies</c>.</summary>
    public string Topic { get; set; } = "analytics-anomalies";

    /// <summary>
    /// The brokers (<c>host:port,...</c>). Defaults to empty, which means the pipeline's <c>Kafka:BootstrapServers</c>.
    /// </summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>
    /// How long the producer keeps trying to deliver one message before the attempt counts as failed (librdkafka's
    /// <c>message.timeout.ms</c>); the notification is then retried later. Between 1 second and 5 minutes.
    /// Defaults to 30 seconds (<c>00:00:30</c>).
    /// </summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Extra librdkafka producer settings (for example <c>security.protocol</c>, <c>sasl.username</c>); they
    /// override ours, except <c>acks</c> and <c>enable.idempotence</c>. Values are never logged. Defaults to none.
    /// </summary>
    public Dictionary<string, string> ProducerProperties { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Fails start-up with a message naming the offending <c>Anomalies:Kafka</c> setting.</summary>
public sealed partial class AnomalyKafkaOptionsValidator : IValidateOptions<AnomalyKafkaOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AnomalyKafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var failures = new List<string>();
        if (!TopicName().IsMatch(options.Topic ?? ""))
        {
            failures.Add($"{AnomalyKafkaOptions.SectionName}:Topic must be a Kafka topic name (1-249 of [A-Za-z0-9._-]) (was '{options.Topic}').");
        }

        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            failures.Add($"{AnomalyKafkaOptions.SectionName}:BootstrapServers (or Kafka:BootstrapServers) must be set while {AnomalyKafkaOptions.SectionName}:Enabled is true.");
        }

        if (options.DeliveryTimeout < TimeSpan.FromSeconds(1) || options.DeliveryTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{AnomalyKafkaOptions.SectionName}:DeliveryTimeout must be between 00:00:01 and 00:05:00 (was {AnomalyPublishingOptionsValidator.Show(options.DeliveryTimeout)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();
}
