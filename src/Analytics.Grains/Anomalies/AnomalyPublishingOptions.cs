using System.Globalization;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// How anomalies are published (configuration section <c>Anomalies:Publishing</c>, also as environment
/// variables such as <c>Anomalies__Publishing__BatchSize=100</c>). The Kafka topic and the webhooks have their
/// own sections, <c>Anomalies:Kafka</c> (<see cref="AnomalyKafkaOptions"/>) and <c>Anomalies:Webhooks</c>
/// (<see cref="AnomalyWebhookOptions"/>).
/// </summary>
public sealed class AnomalyPublishingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Anomalies:Publishing";

    /// <summary>
    /// Whether anomalies are published at all (ClickHouse, Kafka, stream, feed, webhooks); when off they are only
    /// logged. Defaults to <see langword="true"/>.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether anomalies are written to ClickHouse <c>analytics.anomalies</c>. Defaults to <see langword="true"/>.</summary>
    public bool WriteToClickHouse { get; set; } = true;

    /// <summary>
    /// Whether anomalies are published on the Orleans stream live subscribers listen to (provider, namespace and
    /// key in <c>Analytics.Contracts.Anomalies.AnomalyStreams</c>). Defaults to <see langword="true"/>.
    /// </summary>
    public bool PublishToStream { get; set; } = true;

    /// <summary>
    /// How many anomaly events a silo queues for publishing, between 100 and 1,000,000; when full, new ones are
    /// dropped and counted (detectors never wait). Defaults to 10,000.
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>How many notifications are published per batch, between 1 and 10,000. Defaults to 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a publisher holds a delivery before another silo may take it over (its publisher died mid-way),
    /// between 10 seconds and 1 hour. Raised if needed to the webhooks' worst case plus 30 seconds, so a slow
    /// webhook is never delivered twice. Defaults to 2 minutes (<c>00:02:00</c>).
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How often each publisher asks for deliveries that are due again (failed targets, expired leases), between
    /// 100 ms and 5 minutes. Defaults to 5 seconds (<c>00:00:05</c>).
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The delay before a failed ClickHouse, Kafka or stream delivery is retried; doubled per attempt up to
    /// <see cref="MaxRetryDelay"/>. Between 10 ms and 10 minutes. Defaults to 2 seconds (<c>00:00:02</c>).
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between two delivery attempts, at least <see cref="RetryDelay"/>. Defaults to 1 minute.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an undelivered notification is retried before it is given up (logged as an error), at least
    /// 1 minute. Defaults to 1 day (<c>1.00:00:00</c>).
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How many undelivered notifications are kept for retries, between 100 and 100,000; beyond, the oldest is
    /// given up. Defaults to 10,000.
    /// </summary>
    public int MaxPendingDeliveries { get; set; } = 10_000;

    /// <summary>How many recent notifications the feed grain keeps for dashboards, between 10 and 10,000. Defaults to 200.</summary>
    public int FeedCapacity { get; set; } = 200;

    /// <summary>
    /// How many notification keys (incident id and kind) are remembered to drop re-detected incidents, between
    /// 100 and 1,000,000; also caps the open incidents remembered to complete their end rows. Defaults to 10,000.
    /// </summary>
    public int DedupCapacity { get; set; } = 10_000;
}

/// <summary>Fails start-up with a message naming the offending <c>Anomalies:Publishing</c> setting.</summary>
public sealed class AnomalyPublishingOptionsValidator : IValidateOptions<AnomalyPublishingOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AnomalyPublishingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Range(failures, nameof(options.QueueCapacity), options.QueueCapacity, 100, 1_000_000);
        Range(failures, nameof(options.BatchSize), options.BatchSize, 1, 10_000);
        Range(failures, nameof(options.LeaseDuration), options.LeaseDuration, TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        Range(failures, nameof(options.SweepInterval), options.SweepInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Range(failures, nameof(options.RetryDelay), options.RetryDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        if (options.MaxRetryDelay < options.RetryDelay || options.MaxRetryDelay > TimeSpan.FromHours(1))
        {
            failures.Add($"{AnomalyPublishingOptions.SectionName}:MaxRetryDelay must be between {AnomalyPublishingOptions.SectionName}:RetryDelay and 01:00:00 (was {Show(options.MaxRetryDelay)}).");
        }

        if (options.GiveUpAfter < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{AnomalyPublishingOptions.SectionName}:GiveUpAfter must be at least 00:01:00 (was {Show(options.GiveUpAfter)}).");
        }

        Range(failures, nameof(options.MaxPendingDeliveries), options.MaxPendingDeliveries, 100, 100_000);
        Range(failures, nameof(options.FeedCapacity), options.FeedCapacity, 10, 10_000);
        Range(failures, nameof(options.DedupCapacity), options.DedupCapacity, 100, 1_000_000);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private static void Range(List<string> failures, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{AnomalyPublishingOptions.SectionName}:{setting} must be between {min} and {max} (was {value})."));
        }
    }

    private static void Range(List<string> failures, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{AnomalyPublishingOptions.SectionName}:{setting} must be between {Show(min)} and {Show(max)} (was {Show(value)}).");
        }
    }
}
