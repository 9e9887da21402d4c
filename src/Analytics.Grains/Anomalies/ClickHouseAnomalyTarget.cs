using Analytics.ClickHouse;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Writes one <c>analytics.anomalies</c> row per notification, all of a batch in one insert
/// (<see cref="AnomalyNotifications.ToRow"/>). Idempotent: rows are keyed by incident id with a fixed version per
/// kind, so a retried insert, or a start arriving after its end, changes nothing (ReplacingMergeTree; read with
/// <c>FINAL</c>).
/// </summary>
public sealed class ClickHouseAnomalyTarget(IAnalyticsSink sink, IOptions<AnomalyPublishingOptions> options) : IAnomalyTarget
{
    /// <inheritdoc />
    public AnomalyTargets Target => AnomalyTargets.ClickHouse;

    /// <inheritdoc />
    public bool IsEnabled => options.Value.WriteToClickHouse;

    /// <inheritdoc />
    public async Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        await sink.WriteAnomaliesAsync(deliveries.Select(AnomalyNotifications.ToRow).ToList(), cancellationToken).ConfigureAwait(false);
        return [.. deliveries.Select(_ => true)];
    }
}
