using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Contracts.Anomalies;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The JSON of an anomaly notification on the Kafka topic and in webhook bodies (one object per message or
/// request). Field names follow the <c>analytics.anomalies</c> columns; times are ISO-8601 UTC.
/// </summary>
/// <example>
/// <code>
/// {"notification_id":"started:page:20260622T100000Z:/docs","incident_id":"page:20260622T100000Z:/docs",
///  "kind":"started","scope":"page","page":"/docs","direction":"spike","started_at":"2026-06-22T10:00:00Z",
///  "detected_at":"2026-06-22T10:00:02.31Z","ended_at":null,"observed_rate":250.5,"baseline_mean":50.2,
///  "baseline_stddev":7.1,"z_score":28.2}
/// </code>
/// </example>
public sealed record AnomalyMessage
{
    /// <summary>Unique per incident and kind: consumers deduplicate on it.</summary>
    [JsonPropertyName("notification_id")] public required string NotificationId { get; init; }

    /// <summary>The incident, the same for its start and end (also the Kafka message key).</summary>
    [JsonPropertyName("incident_id")] public required string IncidentId { get; init; }

    /// <summary><c>started</c> or <c>ended</c>.</summary>
    [JsonPropertyName("kind")] public required string Kind { get; init; }

    /// <summary><c>page</c> or <c>site</c>.</summary>
    [JsonPropertyName("scope")] public required string Scope { get; init; }

    /// <summary>The page path; empty for the site.</summary>
    [JsonPropertyName("page")] public required string Page { get; init; }

    /// <summary><c>spike</c> or <c>drop</c>.</summary>
    [JsonPropertyName("direction")] public required string Direction { get; init; }

    /// <summary>The incident's first second (event time).</summary>
    [JsonPropertyName("started_at")] public required DateTime StartedAt { get; init; }

    /// <summary>When this start or end was detected (wall clock).</summary>
    [JsonPropertyName("detected_at")] public required DateTime DetectedAt { get; init; }

    /// <summary>When the incident ended (event time); null for a start.</summary>
    [JsonPropertyName("ended_at")] public DateTime? EndedAt { get; init; }

    /// <summary>Events per second that tripped the threshold (for an end: the peak).</summary>
    [JsonPropertyName("observed_rate")] public double ObservedRate { get; init; }

    /// <summary>The baseline mean, events per second.</summary>
    [JsonPropertyName("baseline_mean")] public double BaselineMean { get; init; }

    /// <summary>The standard deviation the z-score divides by.</summary>
    [JsonPropertyName("baseline_stddev")] public double BaselineStdDev { get; init; }

    /// <summary>The z-score (for an end: the peak).</summary>
    [JsonPropertyName("z_score")] public double ZScore { get; init; }

    /// <summary>The message of <paramref name="notification"/>.</summary>
    public static AnomalyMessage From(AnomalyNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new AnomalyMessage
        {
            NotificationId = AnomalyNotifications.KeyOf(notification),
            IncidentId = notification.IncidentId,
            Kind = notification.Kind,
            Scope = notification.Scope,
            Page = notification.Page,
            Direction = notification.Direction,
            StartedAt = notification.StartedAt,
            DetectedAt = notification.DetectedAt,
            EndedAt = notification.EndedAt,
            ObservedRate = Finite(notification.ObservedRate),
            BaselineMean = Finite(notification.BaselineMean),
            BaselineStdDev = Finite(notification.BaselineStdDev),
            ZScore = Finite(notification.ZScore),
        };
    }

    /// <summary>UTF-8 JSON of <paramref name="notification"/>.</summary>
    public static byte[] Serialize(AnomalyNotification notification) =>
        JsonSerializer.SerializeToUtf8Bytes(From(notification), AnomalyMessageJsonContext.Default.AnomalyMessage);

    /// <summary>Parses UTF-8 JSON written by <see cref="Serialize"/>.</summary>
    public static AnomalyMessage? Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, AnomalyMessageJsonContext.Default.AnomalyMessage);

    // JSON has no NaN or infinity; the detector never produces them, but a message must never fail to serialize.
    private static double Finite(double value) => double.IsFinite(value) ? value : 0;
}

/// <summary>Source-generated JSON for <see cref="AnomalyMessage"/>.</summary>
[JsonSerializable(typeof(AnomalyMessage))]
internal sealed partial class AnomalyMessageJsonContext : JsonSerializerContext;
