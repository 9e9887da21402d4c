using System.Diagnostics.Metrics;
using Analytics.Grains.Diagnostics;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Instruments of anomaly publishing, on the pipeline's meter (<see cref="PipelineMetrics.MeterName"/>, already
/// exported by the silo), one instance per silo. Per-target counters carry a <c>target</c> tag.
/// </summary>
public sealed class AnomalyPublishingMetrics
{
    /// <summary>Creates the instruments.</summary>
    public AnomalyPublishingMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(PipelineMetrics.MeterName);
        Detected = meter.CreateCounter<long>("anomaly-events", "{event}", "Anomaly starts and ends handed to the publisher.");
        Dropped = meter.CreateCounter<long>("anomaly-events-dropped", "{event}", "Anomaly events dropped because the publishing queue was full.");
        Duplicates = meter.CreateCounter<long>("anomaly-duplicates", "{event}", "Re-detected anomaly events dropped by the dedup (incident id and kind).");
        Delivered = meter.CreateCounter<long>("anomaly-deliveries", "{notification}", "Notifications delivered, per target.");
        Failed = meter.CreateCounter<long>("anomaly-delivery-failures", "{notification}", "Delivery attempts that failed and will be retried, per target.");
        WebhookAttempts = meter.CreateCounter<long>("anomaly-webhook-requests", "{request}", "Webhook requests sent, retries included.");
        WebhookGaveUp = meter.CreateCounter<long>("anomaly-webhook-given-up", "{notification}", "Webhook deliveries given up after the last attempt or a final answer.");
        SiteReports = meter.CreateCounter<long>("site-traffic-reports", "{report}", "Partial per-second site counts sent to the site traffic grain.");
    }

    /// <summary>Anomaly events received.</summary>
    public Counter<long> Detected { get; }

    /// <summary>Anomaly events dropped (queue full).</summary>
    public Counter<long> Dropped { get; }

    /// <summary>Re-detected events dropped by the dedup.</summary>
    public Counter<long> Duplicates { get; }

    /// <summary>Deliveries per target.</summary>
    public Counter<long> Delivered { get; }

    /// <summary>Failed deliveries per target.</summary>
    public Counter<long> Failed { get; }

    /// <summary>Webhook requests.</summary>
    public Counter<long> WebhookAttempts { get; }

    /// <summary>Webhook deliveries given up.</summary>
    public Counter<long> WebhookGaveUp { get; }

    /// <summary>Site traffic reports sent.</summary>
    public Counter<long> SiteReports { get; }
}
