using Analytics.Contracts.Site;
using Analytics.Grains.Anomalies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Site;

/// <summary>
/// The second stage of the site-wide aggregation (key 0): merges the silos' partial per-second counts, detects
/// site-wide anomalies and hands them to every <see cref="IAnomalySink"/>, and answers the dashboard's "events per
/// second now". A few calls per second in all (one report per silo per interval, plus dashboard reads).
/// </summary>
/// <remarks>
/// A timer evaluates complete seconds even when no report comes, so a site going quiet is seen as a drop. The
/// state is written when the grain deactivates (a graceful shutdown or a rebalance moves it to another silo) and
/// restored if the next activation follows within a minute; after a crash the detector warms up again, because
/// seconds whose counts died with the old activation would otherwise read as a drop.
/// </remarks>
public sealed partial class SiteTrafficGrain : Grain, ISiteTrafficGrain, ISiteTrafficReportGrain
{
    private readonly IPersistentState<SiteTrafficState> _state;
    private readonly AnomalyOptions _anomalyOptions;
    private readonly SiteTrafficOptions _siteOptions;
    private readonly PipelineOptions _pipelineOptions;
    private readonly IAnomalySink[] _sinks;
    private readonly TimeProvider _time;
    private readonly ILogger<SiteTrafficGrain> _logger;
    private SiteTrafficAggregator? _aggregator;

    /// <summary>Creates the grain.</summary>
    public SiteTrafficGrain(
        [PersistentState("site-traffic", StorageNames.Flush)] IPersistentState<SiteTrafficState> state,
        IOptions<AnomalyOptions> anomalyOptions,
        IOptions<SiteTrafficOptions> siteOptions,
        IOptions<PipelineOptions> pipelineOptions,
        IEnumerable<IAnomalySink> sinks,
        TimeProvider time,
        ILogger<SiteTrafficGrain> logger)
    {
        _state = state;
        _anomalyOptions = anomalyOptions.Value;
        _siteOptions = siteOptions.Value;
        _pipelineOptions = pipelineOptions.Value;
        _sinks = sinks.ToArray();
        _time = time;
        _logger = logger;
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!_anomalyOptions.Enabled || !_siteOptions.Enabled)
        {
            return Task.CompletedTask;
        }

        var options = SiteTrafficAggregator.ForSite(_anomalyOptions, _siteOptions.ReportInterval);
        _aggregator = new SiteTrafficAggregator(options, _siteOptions.RateWindowSeconds, _state.State, Now);
        LogActivated(_aggregator.Restored, options.SettleDelay);
        var tick = _siteOptions.TickInterval;
        this.RegisterGrainTimer(OnTickAsync, new GrainTimerCreationOptions(tick, tick) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_aggregator is null || !_pipelineOptions.PersistState)
        {
            return;
        }

        try
        {
            _state.State = _aggregator.Snapshot(Now);
            await _state.WriteStateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The next activation warms up again; nothing else is lost.
            LogSaveFailed(ex);
        }
    }

    /// <inheritdoc />
    public Task ReportAsync(SiteTrafficReport[] reports)
    {
        if (_aggregator is null)
        {
            return Task.CompletedTask;
        }

        var now = Now;
        _aggregator.Apply(reports, now);
        Detect(now);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<SiteTrafficRate> GetCurrentRateAsync() =>
        Task.FromResult(_aggregator?.GetRate(Now) ?? new SiteTrafficRate { RateWindowSeconds = _siteOptions.RateWindowSeconds });

    private Task OnTickAsync(CancellationToken cancellationToken)
    {
        Detect(Now);
        return Task.CompletedTask;
    }

    private void Detect(DateTime now)
    {
        foreach (var anomaly in _aggregator!.AdvanceTo(now))
        {
            foreach (var sink in _sinks)
            {
                try
                {
                    sink.Publish(anomaly);
                }
                catch (Exception ex)
                {
                    LogSinkFailed(anomaly.IncidentId, sink.GetType().Name, ex);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Site traffic grain activated (baseline restored: {Restored}); site settle delay {SettleDelay}.")]
    private partial void LogActivated(bool restored, TimeSpan settleDelay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Saving the site traffic state failed; the next activation warms up again.")]
    private partial void LogSaveFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Error, Message = "Anomaly sink {Sink} failed on {IncidentId}.")]
    private partial void LogSinkFailed(string incidentId, string sink, Exception ex);
}
