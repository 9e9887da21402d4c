using Analytics.Contracts.Queries;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>
/// Sends this silo's <see cref="TrafficCollector"/> counts to the merge (<see cref="ITopPagesGrain"/>) every
/// <see cref="LiveQueryOptions.ReportInterval"/>: one grain call per silo per interval, whatever the traffic.
/// After a failed call the next report is a full one, so nothing the merge missed stays missing.
/// </summary>
public sealed partial class TrafficReporter(
    TrafficCollector collector,
    PipelineCounters counters,
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<LiveQueryOptions> options,
    TimeProvider time,
    ILogger<TrafficReporter> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var siloId = silo.SiloAddress.ToString();
        var epoch = Guid.Empty;
        var full = true;
        var failing = false;
        string[] sketchPages = [];
        using var timer = new PeriodicTimer(options.Value.ReportInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var report = collector.TakeReport(siloId, epoch, full, sketchPages, counters.LateEvents, counters.DeadLetteredEvents);
                try
                {
                    var ack = await grains.GetGrain<ITopPagesGrain>(0).ReportAsync(report)
                        .WaitAsync(options.Value.ReportInterval * 10, stoppingToken).ConfigureAwait(false);
                    epoch = ack.Epoch;
                    full = ack.FullReportRequested;
                    sketchPages = ack.SketchPages;
                    if (failing) LogReportRecovered(siloId);
                    failing = false;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The changes taken into the lost report are re-sent by the next (full) one.
                    full = true;
                    if (!failing) LogReportFailed(siloId, ex);
                    failing = true;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Silo shutdown.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo {Silo} could not report its traffic to the live-query merge; retrying with full reports.")]
    private partial void LogReportFailed(string silo, Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo {Silo} reports its traffic to the live-query merge again.")]
    private partial void LogReportRecovered(string silo);
}
