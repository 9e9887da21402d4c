using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Anomalies;
using RowDirection = Analytics.ClickHouse.Rows.AnomalyDirection;
using RowScope = Analytics.ClickHouse.Rows.AnomalyScope;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Maps detector events to <see cref="AnomalyNotification"/>s, the one shape every publishing target starts from,
/// and notifications to ClickHouse rows.
/// </summary>
public static class AnomalyNotifications
{
    /// <summary><see cref="AnomalyNotification.Kind"/> of an incident's start.</summary>
    public const string Started = "started";

    /// <summary><see cref="AnomalyNotification.Kind"/> of an incident's end.</summary>
    public const string Ended = "ended";

    /// <summary>The <c>anomalies.version</c> of a start row.</summary>
    public const ulong StartedVersion = 1;

    /// <summary>The <c>anomalies.version</c> of an end row: higher, so the end replaces the start.</summary>
    public const ulong EndedVersion = 2;

    /// <summary>
    /// The identity of a notification for deduplication: <c>{kind}:{incident id}</c>, e.g.
    /// <c>started:page:20260622T100000Z:/docs</c>. The kind comes first because it never holds a colon.
    /// </summary>
    public static string KeyOf(AnomalyNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return $"{notification.Kind}:{notification.IncidentId}";
    }

    /// <summary>
    /// Maps a detector event. An end carries the incident's peak rate and z-score; its baseline is unknown here
    /// (0) and filled in from the start by the feed grain.
    /// </summary>
    public static AnomalyNotification From(AnomalyEvent anomaly)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        var scope = anomaly.Scope == AnomalyScope.Site ? "site" : "page";
        var direction = anomaly.Direction == AnomalyDirection.Spike ? "spike" : "drop";
        return anomaly switch
        {
            AnomalyStarted s => new AnomalyNotification
            {
                IncidentId = s.IncidentId,
                Kind = Started,
                Scope = scope,
                Page = s.Page,
                Direction = direction,
                StartedAt = s.StartedAt,
                DetectedAt = s.DetectedAt,
                ObservedRate = s.ObservedRate,
                BaselineMean = s.BaselineMean,
                BaselineStdDev = s.BaselineStdDev,
                ZScore = s.ZScore,
            },
            AnomalyEnded e => new AnomalyNotification
            {
                IncidentId = e.IncidentId,
                Kind = Ended,
                Scope = scope,
                Page = e.Page,
                Direction = direction,
                StartedAt = e.StartedAt,
                DetectedAt = e.DetectedAt,
                ObservedRate = e.PeakRate,
                ZScore = e.PeakZScore,
                EndedAt = e.EndedAt,
            },
            _ => throw new ArgumentException($"Unknown anomaly event {anomaly.GetType().Name}.", nameof(anomaly)),
        };
    }

    /// <summary>
    /// The <c>anomalies</c> row of a delivery: one logical row per incident (<c>anomaly_id</c> = incident id).
    /// The start writes version 1; the end writes version 2 with <c>ended_at</c>, the incident's peak rate and
    /// z-score, and the start's detection time and baseline, so that it replaces the start row.
    /// </summary>
    public static AnomalyRow ToRow(AnomalyDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var n = delivery.Notification;
        var ended = n.Kind == Ended;
        var started = delivery.Started;
        return new AnomalyRow
        {
            AnomalyId = n.IncidentId,
            // The end keeps the start's detection time (also the table's partition key); without the start, the
            // incident's first second is the closest deterministic stand-in.
            DetectedAt = ended ? started?.DetectedAt ?? n.StartedAt : n.DetectedAt,
            Scope = n.Scope == "site" ? RowScope.Site : RowScope.Page,
            Page = n.Page,
            Direction = n.Direction == "drop" ? RowDirection.Drop : RowDirection.Spike,
            ObservedRate = n.ObservedRate,
            BaselineMean = n.BaselineMean,
            BaselineStddev = n.BaselineStdDev,
            ZScore = n.ZScore,
            EndedAt = ended ? n.EndedAt : null,
            Version = ended ? EndedVersion : StartedVersion,
        };
    }
}
