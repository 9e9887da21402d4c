using Analytics.Contracts.Anomalies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Publishes notifications on the Orleans stream live subscribers (the client SDK, dashboards) listen to:
/// provider <see cref="AnomalyStreams.ProviderName"/> (memory streams, registered on silos and clients),
/// namespace <see cref="AnomalyStreams.Namespace"/>, key <see cref="AnomalyStreams.Key"/>.
/// </summary>
public sealed partial class StreamAnomalyTarget(
    IClusterClient client,
    IOptions<AnomalyPublishingOptions> options,
    ILogger<StreamAnomalyTarget> logger) : IAnomalyTarget
{
    private IAsyncStream<AnomalyNotification>? _stream;

    /// <inheritdoc />
    public AnomalyTargets Target => AnomalyTargets.Stream;

    /// <inheritdoc />
    public bool IsEnabled => options.Value.PublishToStream;

    /// <inheritdoc />
    public async Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        _stream ??= client.GetStreamProvider(AnomalyStreams.ProviderName)
            .GetStream<AnomalyNotification>(StreamId.Create(AnomalyStreams.Namespace, AnomalyStreams.Key));
        var done = new bool[deliveries.Count];
        for (var i = 0; i < deliveries.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _stream.OnNextAsync(deliveries[i].Notification).ConfigureAwait(false);
                done[i] = true;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Only this one is left undone (retried later), so those already published are not repeated.
                LogPublishFailed(deliveries[i].Key, ex);
            }
        }

        return done;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing anomaly notification {Key} on the Orleans stream failed; will retry.")]
    private partial void LogPublishFailed(string key, Exception ex);
}
