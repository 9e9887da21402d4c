using Analytics.Contracts.Anomalies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// The anomaly feed (key 0): the recent notifications dashboards read (<see cref="IAnomalyFeedGrain"/>), and the
/// outbox through which silo publishers deliver each notification exactly once (<see cref="IAnomalyOutboxGrain"/>).
/// The logic is <see cref="AnomalyLedger"/>; this grain persists its state (storage <c>flush</c>) before it
/// answers any call that changed it, so the dedup survives restarts of publishers and of this grain.
/// </summary>
/// <remarks>Anomalies are rare (a handful of calls per incident), so one grain is no bottleneck.</remarks>
public sealed partial class AnomalyFeedGrain(
    [PersistentState("anomaly-feed", StorageNames.Flush)] IPersistentState<AnomalyFeedState> state,
    IOptions<AnomalyPublishingOptions> options,
    TimeProvider time,
    ILogger<AnomalyFeedGrain> logger) : Grain, IAnomalyFeedGrain, IAnomalyOutboxGrain
{
    private AnomalyLedger _ledger = null!;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ledger = new AnomalyLedger(state.State, options.Value);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task AppendAsync(AnomalyNotification[] notifications)
    {
        if (_ledger.Append(notifications) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public Task<AnomalyNotification[]> GetRecentAsync(int limit) => Task.FromResult(_ledger.Recent(limit));

    /// <inheritdoc />
    public async Task<AnomalyDelivery[]> ClaimAsync(AnomalyNotification[] notifications, string claimant, TimeSpan lease)
    {
        var pendingBefore = _ledger.PendingCount;
        var claim = _ledger.Claim(notifications, claimant, Now, lease);
        foreach (var abandoned in claim.Abandoned)
        {
            LogAbandoned(AnomalyNotifications.KeyOf(abandoned));
        }

        if (claim.Deliveries.Count > 0 || claim.Abandoned.Count > 0 || pendingBefore != _ledger.PendingCount)
        {
            await state.WriteStateAsync();
        }

        return [.. claim.Deliveries];
    }

    /// <inheritdoc />
    public async Task CompleteAsync(string claimant, AnomalyDeliveryResult[] results)
    {
        if (_ledger.Complete(claimant, results, Now))
        {
            await state.WriteStateAsync();
        }
    }

    /// <inheritdoc />
    public async Task RenewAsync(string claimant, string[] keys, TimeSpan lease)
    {
        if (_ledger.Renew(claimant, keys, Now, lease) > 0)
        {
            await state.WriteStateAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up delivering anomaly notification {Key}: still undelivered after Anomalies:Publishing:GiveUpAfter, or too many pending.")]
    private partial void LogAbandoned(string key);
}
