using Analytics.Contracts.Anomalies;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The silo-side face of the anomaly feed grain (the same activation as <see cref="IAnomalyFeedGrain"/>, key 0):
/// the outbox through which <see cref="AnomalyPublisher"/>s deliver each incident's start and end exactly once.
/// Not for clients.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="ClaimAsync"/> is the dedup point: a notification whose (incident id, kind) was seen before (the
/// same incident re-detected after a replay or a grain re-activation) is dropped there; a new one is appended to
/// the feed and recorded as a pending delivery leased to the caller. The caller delivers it and reports with
/// <see cref="CompleteAsync"/> which targets are done, renewing the lease (<see cref="RenewAsync"/>) while a
/// delivery takes long. Targets that failed, and deliveries whose lease ran out (their publisher died), are
/// handed to the next caller of <see cref="ClaimAsync"/> for the remaining targets only.
/// </para>
/// <para>The state is persisted before either call returns, so the dedup survives restarts of the publisher.</para>
/// </remarks>
public interface IAnomalyOutboxGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records <paramref name="notifications"/> (dropping duplicates) and returns what the caller must deliver
    /// now: the new ones, and older pending deliveries that are due again, each leased to
    /// <paramref name="claimant"/> for <paramref name="lease"/>.
    /// </summary>
    Task<AnomalyDelivery[]> ClaimAsync(AnomalyNotification[] notifications, string claimant, TimeSpan lease);

    /// <summary>Records which targets of which deliveries are done, and when to retry the others.</summary>
    Task CompleteAsync(string claimant, AnomalyDeliveryResult[] results);

    /// <summary>
    /// Extends to <paramref name="lease"/> from now the leases <paramref name="claimant"/> holds on
    /// <paramref name="keys"/>, which it is still delivering (a slow webhook), so that nobody takes them over.
    /// </summary>
    Task RenewAsync(string claimant, string[] keys, TimeSpan lease);
}

/// <summary>One notification to deliver to <see cref="Targets"/>.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.anomaly-delivery.v1")]
public sealed record AnomalyDelivery
{
    /// <summary>The notification (for an end, with the baseline of its start filled in when known).</summary>
    [Id(0)] public required AnomalyNotification Notification { get; init; }

    /// <summary>For an end: the incident's start notification, when the feed still knows it.</summary>
    [Id(1)] public AnomalyNotification? Started { get; init; }

    /// <summary>The targets still to deliver to.</summary>
    [Id(2)] public required AnomalyTargets Targets { get; init; }

    /// <summary>1 for the first attempt, then +1 per claim.</summary>
    [Id(3)] public required int Attempt { get; init; }

    /// <summary>See <see cref="AnomalyNotifications.KeyOf"/>.</summary>
    public string Key => AnomalyNotifications.KeyOf(Notification);
}

/// <summary>The outcome of one delivery attempt.</summary>
/// <param name="Key">The notification's <see cref="AnomalyNotifications.KeyOf"/>.</param>
/// <param name="Delivered">The targets that are now done.</param>
/// <param name="RetryAfter">When the remaining targets, if any, are due again.</param>
[GenerateSerializer, Immutable]
[Alias("analytics.anomaly-delivery-result.v1")]
public sealed record AnomalyDeliveryResult(
    [property: Id(0)] string Key,
    [property: Id(1)] AnomalyTargets Delivered,
    [property: Id(2)] TimeSpan RetryAfter);
