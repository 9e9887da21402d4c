using Analytics.Contracts.Anomalies;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The persisted state of the anomaly feed grain (see <see cref="AnomalyLedger"/>). Every list is capped by
/// <see cref="AnomalyPublishingOptions"/>, so the state stays small whatever happens.
/// </summary>
[GenerateSerializer]
[Alias("analytics.AnomalyFeedState.v1")]
public sealed class AnomalyFeedState
{
    /// <summary>The recent notifications, newest first.</summary>
    [Id(0)] public List<AnomalyNotification> Recent { get; set; } = [];

    /// <summary>The keys (<see cref="AnomalyNotifications.KeyOf"/>) of the notifications seen, oldest first.</summary>
    [Id(1)] public List<string> Seen { get; set; } = [];

    /// <summary>The start notifications of incidents that have not ended yet, oldest first.</summary>
    [Id(2)] public List<AnomalyNotification> OpenIncidents { get; set; } = [];

    /// <summary>The deliveries not yet done, oldest first.</summary>
    [Id(3)] public List<PendingAnomalyDelivery> Pending { get; set; } = [];
}

/// <summary>A notification whose delivery is not done for every target.</summary>
[GenerateSerializer]
[Alias("analytics.PendingAnomalyDelivery.v1")]
public sealed class PendingAnomalyDelivery
{
    /// <summary>The notification.</summary>
    [Id(0)] public AnomalyNotification Notification { get; set; } = null!;

    /// <summary>For an end: the incident's start, when it was known.</summary>
    [Id(1)] public AnomalyNotification? Started { get; set; }

    /// <summary>The targets still to do.</summary>
    [Id(2)] public AnomalyTargets Remaining { get; set; }

    /// <summary>Who holds the lease.</summary>
    [Id(3)] public string Claimant { get; set; } = "";

    /// <summary>Until when the claimant may deliver it undisturbed (UTC); after that anyone may claim it.</summary>
    [Id(4)] public DateTime LeaseUntil { get; set; }

    /// <summary>How many times it was claimed.</summary>
    [Id(5)] public int Attempts { get; set; }

    /// <summary>When it was first recorded (UTC).</summary>
    [Id(6)] public DateTime RecordedAt { get; set; }
}
