using Analytics.Contracts.Queries;
using Analytics.Contracts.Site;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>
/// Stage two of the live rankings (see <see cref="ITopPagesGrain"/>). Keeps each silo's latest partial counts
/// (absolute values, so reports are idempotent) and their sum per page and minute for the last hour. On its
/// timer it ranks candidates per window from the sums, reads exact views and distinct visitors of the leading
/// candidates of the 1- and 5-minute windows from their page grains (a bounded number of calls per interval, not
/// per event or query), estimates the 60-minute window from the sums and merged visitor sketches, and publishes
/// an immutable snapshot. State is memory only: a new activation asks every silo for a full report.
/// </summary>
public sealed partial class TopPagesGrain(
    IOptions<LiveQueryOptions> options,
    TimeProvider time,
    ILogger<TopPagesGrain> logger) : Grain, ITopPagesGrain
{
    private readonly LiveQueryOptions _options = options.Value;
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly Dictionary<string, SiloContribution> _silos = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<DateTime, long>> _views = new(StringComparer.Ordinal);
    private TrafficSnapshot _snapshot = new() { Version = 0 };
    private string[] _sketchPages = [];
    private DateTime _prunedThrough;
    private bool _siteRateUnavailable;

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(RefreshAsync, new GrainTimerCreationOptions(_options.RefreshInterval, _options.RefreshInterval));
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<TrafficReportAck> ReportAsync(SiloTrafficReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var known = _silos.TryGetValue(report.SiloId, out var silo);
        if (!known)
        {
            silo = new SiloContribution();
            _silos[report.SiloId] = silo;
        }
        if (report.IsFull)
        {
            foreach (var ((page, minute), views) in silo!.Views) AddToSum(page, minute, -views);
            silo.Views.Clear();
        }
        var oldest = CurrentMinute().AddMinutes(1 - TrafficWindow.SixtyMinutes.Minutes());
        foreach (var entry in report.PageMinutes)
        {
            if (entry.Minute < oldest) continue;
            var key = (entry.Page, entry.Minute);
            silo!.Views.TryGetValue(key, out var previous);
            silo.Views[key] = entry.Views;
            AddToSum(entry.Page, entry.Minute, entry.Views - previous);
        }
        foreach (var second in report.Seconds) silo!.Seconds[second.Second] = second.Events;
        silo!.LateEvents = report.LateEvents;
        silo.DeadLetteredEvents = report.DeadLetteredEvents;
        silo.Sessions = report.Sessions;
        silo.PageVisitors = report.PageVisitors.ToDictionary(p => p.Page, p => p.Visitors, StringComparer.Ordinal);
        silo.LastReportAt = Now();
        // A silo this activation never saw in full, or one that reported to an earlier activation, re-sends all.
        var fullNeeded = !report.IsFull && (!known || report.Epoch != _epoch);
        return Task.FromResult(new TrafficReportAck { Epoch = _epoch, FullReportRequested = fullNeeded, SketchPages = _sketchPages });
    }

    /// <inheritdoc />
    public async Task<TrafficSnapshot?> GetSnapshotAsync(long knownVersion)
    {
        if (_snapshot.Version == 0) await RefreshAsync(CancellationToken.None);
        return _snapshot.Version == knownVersion ? null : _snapshot;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = Now();
        var currentMinute = TrafficWindows.MinuteOf(now);
        Prune(currentMinute);

        var staged = StagedSums(currentMinute);
        var take = _options.MaxTopPages + _options.CandidateMargin;
        var candidates = TrafficWindows.All.ToDictionary(w => w, w => TopByViews(staged[w], take));
        _sketchPages = candidates[TrafficWindow.SixtyMinutes];

        var exactWindows = new[] { TrafficWindow.OneMinute, TrafficWindow.FiveMinutes };
        var froms = exactWindows.Select(w => w.StartAt(currentMinute)).ToArray();
        var exact = await ReadExactAsync(candidates[TrafficWindow.OneMinute].Union(candidates[TrafficWindow.FiveMinutes]).ToList(), froms);

        RankedPage[] Ranked(TrafficWindow window, int index) => candidates[window]
            .Select(page => exact.TryGetValue(page, out var totals)
                ? new RankedPage { Page = page, Views = totals[index].Views, UniqueVisitors = totals[index].UniqueVisitors, ViewsExact = true, UniqueVisitorsExact = totals[index].UniqueVisitorsExact }
                : new RankedPage { Page = page, Views = staged[window][page], UniqueVisitors = 0, ViewsExact = false, UniqueVisitorsExact = false })
            .Where(p => p.Views > 0)
            .OrderByDescending(p => p.Views).ThenBy(p => p.Page, StringComparer.Ordinal)
            .Take(_options.MaxTopPages)
            .ToArray();

        _snapshot = new TrafficSnapshot
        {
            Version = _snapshot.Version + 1,
            AsOf = now,
            CurrentMinute = currentMinute,
            OneMinute = Ranked(TrafficWindow.OneMinute, 0),
            FiveMinutes = Ranked(TrafficWindow.FiveMinutes, 1),
            SixtyMinutes = candidates[TrafficWindow.SixtyMinutes]
                .Select(page => new RankedPage { Page = page, Views = staged[TrafficWindow.SixtyMinutes][page], UniqueVisitors = MergedVisitors(page) })
                .OrderByDescending(p => p.Views).ThenBy(p => p.Page, StringComparer.Ordinal)
                .Take(_options.MaxTopPages)
                .ToArray(),
            Site = WithSiteRate(SiteTraffic(now), await ReadSiteRateAsync()),
        };
    }

    /// <summary>
    /// The site traffic grain's event rate (event time, the figure its site-wide anomaly detector uses), when it
    /// runs; else null and the snapshot keeps the rate pre-aggregated here (wall-clock seconds of the polls).
    /// </summary>
    private async Task<SiteTrafficRate?> ReadSiteRateAsync()
    {
        if (_siteRateUnavailable) return null;
        try
        {
            return await GrainFactory.GetGrain<ISiteTrafficGrain>(ISiteTrafficGrain.Key).GetCurrentRateAsync().WaitAsync(_options.PageReadTimeout);
        }
        catch (ArgumentException)
        {
            _siteRateUnavailable = true; // no grain class implements it in this deployment
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSiteRateFailed(ex);
            return null;
        }
    }

    private static SiteTraffic WithSiteRate(SiteTraffic site, SiteTrafficRate? rate)
    {
        if (rate is not { LastSecond: not null, SeriesStart: { } start }) return site;
        return site with
        {
            EventsPerSecond = rate.EventsPerSecond,
            Series = rate.PerSecond.Select((events, i) => new SecondEvents(start.AddSeconds(i), events)).ToArray(),
        };
    }

    private async Task<Dictionary<string, WindowTotals[]>> ReadExactAsync(List<string> pages, DateTime[] froms)
    {
        var reads = pages.Select(async page =>
        {
            try
            {
                return (page, Totals: await PageTrafficReader.ReadTotalsAsync(GrainFactory, page, froms).WaitAsync(_options.PageReadTimeout));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogPageReadFailed(page, ex);
                return (page, Totals: (WindowTotals[]?)null);
            }
        });
        var results = await Task.WhenAll(reads);
        return results.Where(r => r.Totals is not null).ToDictionary(r => r.page, r => r.Totals!, StringComparer.Ordinal);
    }

    private Dictionary<TrafficWindow, Dictionary<string, long>> StagedSums(DateTime currentMinute)
    {
        var sums = TrafficWindows.All.ToDictionary(w => w, _ => new Dictionary<string, long>(StringComparer.Ordinal));
        foreach (var (page, minutes) in _views)
        {
            foreach (var window in TrafficWindows.All)
            {
                var from = window.StartAt(currentMinute);
                long total = 0;
                foreach (var (minute, views) in minutes)
                {
                    if (minute >= from) total += views;
                }
                if (total > 0) sums[window][page] = total;
            }
        }
        return sums;
    }

    private static string[] TopByViews(Dictionary<string, long> sums, int take) =>
        sums.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(take).Select(p => p.Key).ToArray();

    private long MergedVisitors(string page)
    {
        var union = new DistinctSketch(_options.VisitorSketchPrecision);
        foreach (var silo in _silos.Values)
        {
            if (silo.PageVisitors.TryGetValue(page, out var sketch)) union.UnionWith(sketch);
        }
        return union.Estimate();
    }

    private SiteTraffic SiteTraffic(DateTime now)
    {
        var live = _silos.Values.Where(s => now - s.LastReportAt <= _options.SiloSilenceTimeout).ToList();
        // Reports come every ReportInterval: the last two seconds may still be missing from some silos.
        var lastSecond = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, DateTimeKind.Utc).AddSeconds(-2);
        var series = Enumerable.Range(0, _options.RateSeriesSeconds)
            .Select(i => lastSecond.AddSeconds(i + 1 - _options.RateSeriesSeconds))
            .Select(second => new SecondEvents(second, live.Sum(s => s.Seconds.GetValueOrDefault(second))))
            .ToArray();
        var sessions = new DistinctSketch(_options.SessionSketchPrecision);
        foreach (var silo in live)
        {
            if (silo.Sessions is { } sketch) sessions.UnionWith(sketch);
        }
        return new SiteTraffic
        {
            EventsPerSecond = series.TakeLast(_options.RateAverageSeconds).Average(s => (double)s.Events),
            Series = series,
            ActiveSessions = sessions.Estimate(),
            LateEvents = _silos.Values.Sum(s => s.LateEvents),
            DeadLetteredEvents = _silos.Values.Sum(s => s.DeadLetteredEvents),
            ReportingSilos = live.Count,
            ActiveSessionWindow = _options.ActiveSessionWindow,
        };
    }

    private void AddToSum(string page, DateTime minute, long delta)
    {
        if (delta == 0) return;
        if (!_views.TryGetValue(page, out var minutes))
        {
            minutes = [];
            _views[page] = minutes;
        }
        var total = minutes.GetValueOrDefault(minute) + delta;
        if (total == 0) minutes.Remove(minute);
        else minutes[minute] = total;
        if (minutes.Count == 0) _views.Remove(page);
    }

    private void Prune(DateTime currentMinute)
    {
        var oldest = currentMinute.AddMinutes(1 - TrafficWindow.SixtyMinutes.Minutes());
        var oldestSecond = Now().AddSeconds(-2 * _options.RateSeriesSeconds);
        foreach (var silo in _silos.Values)
        {
            foreach (var second in silo.Seconds.Keys.Where(s => s < oldestSecond).ToList()) silo.Seconds.Remove(second);
        }
        if (oldest <= _prunedThrough) return;
        _prunedThrough = oldest;
        foreach (var (page, minutes) in _views.ToList())
        {
            foreach (var minute in minutes.Keys.Where(m => m < oldest).ToList()) minutes.Remove(minute);
            if (minutes.Count == 0) _views.Remove(page);
        }
        foreach (var silo in _silos.Values)
        {
            foreach (var key in silo.Views.Keys.Where(k => k.Minute < oldest).ToList()) silo.Views.Remove(key);
        }
        // A silo gone for an hour has nothing left to contribute but its late and dead-letter totals.
        foreach (var (id, silo) in _silos.Where(s => s.Value.Views.Count == 0 && Now() - s.Value.LastReportAt > TimeSpan.FromHours(1)).ToList())
        {
            if (silo.LateEvents == 0 && silo.DeadLetteredEvents == 0) _silos.Remove(id);
        }
    }

    private DateTime Now() => time.GetUtcNow().UtcDateTime;

    private DateTime CurrentMinute() => TrafficWindows.MinuteOf(Now());

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the live totals of page {Page} failed; its pre-aggregated views are used this time.")]
    private partial void LogPageReadFailed(string page, Exception ex);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading the site traffic rate failed; the pre-aggregated rate is used this time.")]
    private partial void LogSiteRateFailed(Exception ex);

    private sealed class SiloContribution
    {
        public Dictionary<(string Page, DateTime Minute), long> Views { get; } = [];
        public Dictionary<DateTime, long> Seconds { get; } = [];
        public Dictionary<string, SketchData> PageVisitors { get; set; } = new(StringComparer.Ordinal);
        public SketchData? Sessions { get; set; }
        public long LateEvents { get; set; }
        public long DeadLetteredEvents { get; set; }
        public DateTime LastReportAt { get; set; }
    }
}
