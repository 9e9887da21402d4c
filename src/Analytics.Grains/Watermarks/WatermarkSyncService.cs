using Analytics.Contracts.Watermarks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// Reports this silo's partition progress to the watermark grain and refreshes <see cref="WatermarkView"/>,
/// every <see cref="PipelineOptions.WatermarkRefreshInterval"/>: two grain calls per silo per interval.
/// </summary>
public sealed partial class WatermarkSyncService(
    IGrainFactory grains,
    PartitionProgressRegistry progress,
    WatermarkView view,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<WatermarkSyncService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var grain = grains.GetGrain<IWatermarkGrain>(0);
        using var timer = new PeriodicTimer(options.Value.WatermarkRefreshInterval, time);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var report = progress.Snapshot();
                if (report.Length > 0) await grain.ReportAsync(report).ConfigureAwait(false);
                if (await grain.GetWatermarkAsync().ConfigureAwait(false) is { } watermark) view.Advance(watermark);
                if (failing) LogRecovered();
                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The cluster may be starting or a silo just died; the wall-clock rule keeps windows closing meanwhile.
                if (!failing) LogSyncFailed(ex);
                failing = true;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watermark sync failed; retrying every interval.")]
    private partial void LogSyncFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watermark sync recovered.")]
    private partial void LogRecovered();
}
