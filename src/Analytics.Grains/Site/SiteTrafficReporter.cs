using Analytics.Grains.Anomalies;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Site;

/// <summary>
/// Every <see cref="SiteTrafficOptions.ReportInterval"/>, drains this silo's <see cref="SiteTrafficCounter"/> and
/// sends the partial counts to the site traffic grain: one grain call per silo per interval, whatever the event
/// rate.
/// </summary>
/// <remarks>
/// Each report carries this process's sender name and the next sequence number. A report that failed (or timed
/// out, so it may have landed) is kept and sent again, unchanged, with the next one; the grain applies each
/// sequence once. At most <see cref="MaxPendingReports"/> reports are kept while the grain is unreachable: older
/// counts would be too late for their seconds anyway.
/// </remarks>
public sealed partial class SiteTrafficReporter(
    IGrainFactory grains,
    SiteTrafficCounter counter,
    IOptions<AnomalyOptions> anomalyOptions,
    IOptions<SiteTrafficOptions> siteOptions,
    AnomalyPublishingMetrics metrics,
    TimeProvider time,
    ILogger<SiteTrafficReporter> logger) : BackgroundService
{
    /// <summary>How many unacknowledged reports are kept at most.</summary>
    public const int MaxPendingReports = 60;

    private readonly string _sender = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";
    private readonly List<SiteTrafficReport> _pending = [];
    private long _sequence;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!anomalyOptions.Value.Enabled || !siteOptions.Value.Enabled)
        {
            return;
        }

        var grain = grains.GetGrain<ISiteTrafficReportGrain>(0);
        using var timer = new PeriodicTimer(siteOptions.Value.ReportInterval, time);
        var failing = false;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (TakeReports() is not { } reports)
            {
                continue;
            }

            try
            {
                await grain.ReportAsync(reports).WaitAsync(stoppingToken).ConfigureAwait(false);
                Acknowledge(reports.Length);
                metrics.SiteReports.Add(reports.Length);
                if (failing)
                {
                    LogRecovered();
                }

                failing = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The cluster may be starting, or the grain moving after a silo died: keep the reports and retry.
                if (!failing)
                {
                    LogReportFailed(ex);
                }

                failing = true;
            }
        }
    }

    /// <summary>Drains the counter into a new report and returns every report not yet acknowledged, or <see langword="null"/>.</summary>
    internal SiteTrafficReport[]? TakeReports()
    {
        var counts = counter.Drain();
        if (counts.Length > 0)
        {
            _pending.Add(new SiteTrafficReport { Sender = _sender, Sequence = ++_sequence, Counts = counts });
            if (_pending.Count > MaxPendingReports)
            {
                _pending.RemoveRange(0, _pending.Count - MaxPendingReports);
            }
        }

        return _pending.Count == 0 ? null : [.. _pending];
    }

    /// <summary>Forgets the first <paramref name="count"/> pending reports: the grain has applied them.</summary>
    internal void Acknowledge(int count) => _pending.RemoveRange(0, Math.Min(count, _pending.Count));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting site traffic failed; keeping the counts and retrying every interval.")]
    private partial void LogReportFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reporting site traffic recovered.")]
    private partial void LogRecovered();
}
