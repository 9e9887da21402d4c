using Analytics.Contracts.Anomalies;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The logic of the anomaly feed grain, without Orleans: the recent feed, the dedup of notifications by
/// (incident id, kind), and the outbox of deliveries with leases. Works on an <see cref="AnomalyFeedState"/>
/// in place, so the grain persists exactly what this class changed. Not thread-safe (one grain turn at a time).
/// </summary>
/// <remarks>
/// Exactly once per incident: the detectors' incident ids are deterministic, so a replay or a re-activation that
/// re-detects an incident produces the same keys, and <see cref="Claim"/> drops them. A new notification becomes a
/// pending delivery leased to its claimant; <see cref="Complete"/> clears the targets that are done. A target that
/// failed is retried after the delay its claimant asked for, and a delivery whose claimant died is taken over
/// when its lease ends, in both cases by whichever publisher claims next and for the remaining targets only.
/// The dedup memory holds the last <see cref="AnomalyPublishingOptions.DedupCapacity"/> keys.
/// </remarks>
public sealed class AnomalyLedger
{
    private readonly AnomalyFeedState _state;
    private readonly AnomalyPublishingOptions _limits;
    private readonly HashSet<string> _seen;

    /// <summary>Wraps <paramref name="state"/> (changed in place).</summary>
    public AnomalyLedger(AnomalyFeedState state, AnomalyPublishingOptions limits)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limits);
        _state = state;
        _limits = limits;
        _state.Recent ??= [];
        _state.Seen ??= [];
        _state.OpenIncidents ??= [];
        _state.Pending ??= [];
        _seen = new HashSet<string>(_state.Seen, StringComparer.Ordinal);
    }

    /// <summary>The deliveries not yet done.</summary>
    public int PendingCount => _state.Pending.Count;

    /// <summary>
    /// Appends the notifications not seen before to the feed, without delivering them anywhere.
    /// Returns how many were new.
    /// </summary>
    public int Append(IEnumerable<AnomalyNotification> notifications)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        var appended = 0;
        foreach (var notification in notifications)
        {
            if (Record(notification, out _, out _))
            {
                appended++;
            }
        }

        return appended;
    }

    /// <summary>
    /// Records <paramref name="notifications"/> and returns what <paramref name="claimant"/> must deliver now:
    /// the new ones (duplicates are dropped), then pending ones whose lease or retry delay has passed.
    /// Pending deliveries older than <see cref="AnomalyPublishingOptions.GiveUpAfter"/>, or beyond
    /// <see cref="AnomalyPublishingOptions.MaxPendingDeliveries"/>, are abandoned and reported in the result.
    /// </summary>
    public AnomalyClaim Claim(IEnumerable<AnomalyNotification> notifications, string claimant, DateTime now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        ArgumentException.ThrowIfNullOrEmpty(claimant);
        var deliveries = new List<AnomalyDelivery>();
        var duplicates = 0;
        var added = new HashSet<PendingAnomalyDelivery>(ReferenceEqualityComparer.Instance);
        foreach (var incoming in notifications)
        {
            if (!Record(incoming, out var notification, out var started))
            {
                duplicates++;
                continue;
            }

            var pending = new PendingAnomalyDelivery
            {
                Notification = notification,
                Started = started,
                Remaining = AnomalyTargets.All,
                Claimant = claimant,
                LeaseUntil = now + lease,
                Attempts = 1,
                RecordedAt = now,
            };
            _state.Pending.Add(pending);
            added.Add(pending);
            deliveries.Add(ToDelivery(pending));
        }

        var abandoned = Abandon(now);
        foreach (var pending in _state.Pending)
        {
            if (!added.Contains(pending) && pending.LeaseUntil <= now)
            {
                pending.Claimant = claimant;
                pending.LeaseUntil = now + lease;
                pending.Attempts++;
                deliveries.Add(ToDelivery(pending));
            }
        }

        return new AnomalyClaim(deliveries, duplicates, abandoned);
    }

    /// <summary>
    /// Clears the delivered targets; a delivery with nothing left is done. If targets remain and
    /// <paramref name="claimant"/> still holds the lease, they are due again after the result's retry delay.
    /// Results for unknown keys (done or abandoned meanwhile) are ignored. Returns whether anything changed.
    /// </summary>
    public bool Complete(string claimant, IEnumerable<AnomalyDeliveryResult> results, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(results);
        var changed = false;
        foreach (var result in results)
        {
            var index = _state.Pending.FindIndex(p => AnomalyNotifications.KeyOf(p.Notification) == result.Key);
            if (index < 0)
            {
                continue;
            }

            var pending = _state.Pending[index];
            pending.Remaining &= ~result.Delivered;
            if (pending.Remaining == AnomalyTargets.None)
            {
                _state.Pending.RemoveAt(index);
            }
            else if (pending.Claimant == claimant)
            {
                pending.LeaseUntil = now + result.RetryAfter;
            }

            changed = true;
        }

        return changed;
    }

    /// <summary>
    /// Extends the leases <paramref name="claimant"/> still holds on <paramref name="keys"/> to
    /// <paramref name="lease"/> from <paramref name="now"/>. Returns how many were extended.
    /// </summary>
    public int Renew(string claimant, IEnumerable<string> keys, DateTime now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var renewed = 0;
        foreach (var pending in _state.Pending)
        {
            if (pending.Claimant == claimant && wanted.Contains(AnomalyNotifications.KeyOf(pending.Notification)))
            {
                pending.LeaseUntil = now + lease;
                renewed++;
            }
        }

        return renewed;
    }

    /// <summary>Up to <paramref name="limit"/> most recent notifications, newest first.</summary>
    public AnomalyNotification[] Recent(int limit) =>
        limit <= 0 ? [] : [.. _state.Recent.Take(limit)];

    /// <summary>Whether a notification with this key was seen (within the dedup memory).</summary>
    public bool HasSeen(AnomalyNotification notification) => _seen.Contains(AnomalyNotifications.KeyOf(notification));

    /// <summary>
    /// Adds a notification to the dedup memory, the open incidents and the feed, unless it was seen before. An end
    /// is completed with its start's baseline when the start is known.
    /// </summary>
    private bool Record(AnomalyNotification incoming, out AnomalyNotification notification, out AnomalyNotification? started)
    {
        notification = incoming;
        started = null;
        var key = AnomalyNotifications.KeyOf(incoming);
        if (!_seen.Add(key))
        {
            return false;
        }

        _state.Seen.Add(key);
        TrimOldest(_state.Seen, _limits.DedupCapacity, evicted => _seen.Remove(evicted));
        if (incoming.Kind == AnomalyNotifications.Ended)
        {
            var index = _state.OpenIncidents.FindIndex(s => s.IncidentId == incoming.IncidentId);
            if (index >= 0)
            {
                started = _state.OpenIncidents[index];
                _state.OpenIncidents.RemoveAt(index);
                if (incoming.BaselineMean == 0 && incoming.BaselineStdDev == 0)
                {
                    notification = incoming with { BaselineMean = started.BaselineMean, BaselineStdDev = started.BaselineStdDev };
                }
            }
        }
        else
        {
            _state.OpenIncidents.Add(incoming);
            TrimOldest(_state.OpenIncidents, _limits.DedupCapacity, static _ => { });
        }

        _state.Recent.Insert(0, notification);
        if (_state.Recent.Count > _limits.FeedCapacity)
        {
            _state.Recent.RemoveRange(_limits.FeedCapacity, _state.Recent.Count - _limits.FeedCapacity);
        }

        return true;
    }

    private List<AnomalyNotification> Abandon(DateTime now)
    {
        var abandoned = new List<AnomalyNotification>();
        var tooMany = _state.Pending.Count - _limits.MaxPendingDeliveries;
        for (var i = 0; i < _state.Pending.Count; i++)
        {
            var pending = _state.Pending[i];
            if (tooMany > 0 || now - pending.RecordedAt > _limits.GiveUpAfter)
            {
                abandoned.Add(pending.Notification);
                _state.Pending.RemoveAt(i--);
                tooMany--;
            }
        }

        return abandoned;
    }

    private static AnomalyDelivery ToDelivery(PendingAnomalyDelivery pending) => new()
    {
        Notification = pending.Notification,
        Started = pending.Started,
        Targets = pending.Remaining,
        Attempt = pending.Attempts,
    };

    private static void TrimOldest<T>(List<T> list, int capacity, Action<T> evicted)
    {
        var excess = list.Count - capacity;
        if (excess <= 0)
        {
            return;
        }

        for (var i = 0; i < excess; i++)
        {
            evicted(list[i]);
        }

        list.RemoveRange(0, excess);
    }
}

/// <summary>What <see cref="AnomalyLedger.Claim"/> decided.</summary>
/// <param name="Deliveries">What the claimant must deliver now.</param>
/// <param name="Duplicates">How many incoming notifications had been seen before and were dropped.</param>
/// <param name="Abandoned">Pending deliveries given up (too old, or too many).</param>
public sealed record AnomalyClaim(IReadOnlyList<AnomalyDelivery> Deliveries, int Duplicates, IReadOnlyList<AnomalyNotification> Abandoned);
