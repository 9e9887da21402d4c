using Analytics.Contracts.Site;
using Analytics.Grains.Anomalies;

namespace Analytics.Grains.Site;

/// <summary>
/// The logic of the site traffic grain, without Orleans: sums the silos' partial per-second counts (each report
/// once per sender and sequence), runs the site-wide <see cref="AnomalyMonitor"/> over the sums, and keeps the last
/// minute of complete seconds for <see cref="GetRate"/>.
/// </summary>
/// <remarks>
/// Silos report every <see cref="SiteTrafficOptions.ReportInterval"/>, so a second's last partial count can reach
/// the grain that much later than it would reach a page grain; <see cref="ForSite"/> lengthens the detector's
/// settle delay by the interval so those counts still land in their second. Not thread-safe (one grain turn at a
/// time).
/// </remarks>
public sealed class SiteTrafficAggregator
{
    /// <summary>How many complete seconds <see cref="SiteTrafficRate.PerSecond"/> holds.</summary>
    public const int SeriesSeconds = 60;

    /// <summary>A state older than this is not restored: the seconds in the gap would read as a drop to zero.</summary>
    public static readonly TimeSpan MaxRestoreGap = TimeSpan.FromSeconds(60);

    /// <summary>A sender silent for this long is forgotten (its restarted process reports under a new name anyway).</summary>
    public static readonly TimeSpan ForgetSenderAfter = TimeSpan.FromMinutes(10);

    /// <summary>A sender is counted in <see cref="SiteTrafficRate.ReportingSilos"/> for this long after its last report.</summary>
    public static readonly TimeSpan ReportingWindow = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan MaxSettleDelay = TimeSpan.FromSeconds(30);

    private readonly AnomalyMonitor _monitor;
    private readonly SiteRateHistory _history;
    private readonly Dictionary<string, SiteSenderState> _senders = new(StringComparer.Ordinal);
    private readonly int _rateWindowSeconds;

    /// <summary>Creates an aggregator, empty or continuing from <paramref name="state"/>.</summary>
    /// <param name="options">The site detector's options, see <see cref="ForSite"/>.</param>
    /// <param name="rateWindowSeconds">How many complete seconds <see cref="SiteTrafficRate.EventsPerSecond"/> averages.</param>
    /// <param name="state">A <see cref="Snapshot"/>; ignored when older than <see cref="MaxRestoreGap"/> at <paramref name="now"/>.</param>
    /// <param name="now">The clock (UTC).</param>
    public SiteTrafficAggregator(AnomalyOptions options, int rateWindowSeconds, SiteTrafficState? state, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(rateWindowSeconds, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rateWindowSeconds, SeriesSeconds);
        _rateWindowSeconds = rateWindowSeconds;
        var restore = state?.SavedAt is { } savedAt && now - savedAt <= MaxRestoreGap && now >= savedAt;
        Restored = restore;
        _monitor = new AnomalyMonitor(options, AnomalyScope.Site, page: null, restore ? state!.Monitor : null);
        _history = restore ? SiteRateHistory.Restore(state!.HistorySeconds, state.HistoryCounts) : new SiteRateHistory();
        if (restore)
        {
            foreach (var sender in state!.Senders)
            {
                _senders[sender.Sender] = new SiteSenderState { Sender = sender.Sender, Sequence = sender.Sequence, LastSeen = sender.LastSeen };
            }
        }
    }

    /// <summary>Whether the constructor continued from a saved state.</summary>
    public bool Restored { get; }

    /// <summary>Events that arrived after their second had been evaluated (left out of detection), since creation.</summary>
    public long LateEvents { get; private set; }

    /// <summary>Events too far ahead of the clock (left out), since creation.</summary>
    public long AheadEvents { get; private set; }

    /// <summary>Reports skipped because their sender's sequence had already been applied, since creation.</summary>
    public long DuplicateReports { get; private set; }

    /// <summary>The site detector (for its readings).</summary>
    public AnomalyDetector Detector => _monitor.Detector;

    /// <summary>
    /// The options of the site detector: <paramref name="options"/> with the settle delay lengthened by
    /// <paramref name="reportInterval"/> (at most to the validator's 30 s).
    /// </summary>
    public static AnomalyOptions ForSite(AnomalyOptions options, TimeSpan reportInterval)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settle = options.SettleDelay + reportInterval;
        return new AnomalyOptions
        {
            Enabled = options.Enabled,
            Window = options.Window,
            Threshold = options.Threshold,
            WarmUp = options.WarmUp,
            MinRate = options.MinRate,
            MinStdDev = options.MinStdDev,
            Cooldown = options.Cooldown,
            EvaluationWindow = options.EvaluationWindow,
            EndAfter = options.EndAfter,
            SettleDelay = settle > MaxSettleDelay ? MaxSettleDelay : settle,
            RebaselineAfter = options.RebaselineAfter,
        };
    }

    /// <summary>
    /// Adds the counts of <paramref name="reports"/>: per sender in sequence order, skipping any sequence already
    /// applied. Returns how many reports were applied.
    /// </summary>
    public int Apply(IEnumerable<SiteTrafficReport> reports, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var applied = 0;
        foreach (var report in reports.OrderBy(r => r.Sequence))
        {
            if (!_senders.TryGetValue(report.Sender, out var sender))
            {
                sender = new SiteSenderState { Sender = report.Sender };
                _senders[report.Sender] = sender;
            }

            sender.LastSeen = now;
            if (report.Sequence <= sender.Sequence)
            {
                DuplicateReports++;
                continue;
            }

            sender.Sequence = report.Sequence;
            applied++;
            foreach (var (second, count) in report.Counts)
            {
                if (count <= 0)
                {
                    continue;
                }

                switch (_monitor.Record(RateSeries.StartOf(second), count))
                {
                    case RecordOutcome.Counted:
                        _history.Add(second, count);
                        break;
                    case RecordOutcome.Late:
                        LateEvents += count;
                        break;
                    default:
                        AheadEvents += count;
                        break;
                }
            }
        }

        return applied;
    }

    /// <summary>Evaluates the seconds complete at <paramref name="now"/>; returns incidents started or ended.</summary>
    public IReadOnlyList<AnomalyEvent> AdvanceTo(DateTime now)
    {
        var events = _monitor.AdvanceTo(now);
        if (_senders.Count > 0)
        {
            foreach (var stale in _senders.Values.Where(s => now - s.LastSeen > ForgetSenderAfter).Select(s => s.Sender).ToList())
            {
                _senders.Remove(stale);
            }
        }

        return events;
    }

    /// <summary>The rate over the last complete seconds, the last minute's series and the detector's reading.</summary>
    public SiteTrafficRate GetRate(DateTime now)
    {
        var reporting = _senders.Values.Count(s => now - s.LastSeen <= ReportingWindow);
        if (_monitor.Detector.LastSecond is not { } last)
        {
            return new SiteTrafficRate { RateWindowSeconds = _rateWindowSeconds, ReportingSilos = reporting };
        }

        var series = new long[SeriesSeconds];
        var first = last - SeriesSeconds + 1;
        for (var i = 0; i < SeriesSeconds; i++)
        {
            series[i] = _history.Get(first + i);
        }

        double sum = 0;
        for (var i = SeriesSeconds - _rateWindowSeconds; i < SeriesSeconds; i++)
        {
            sum += series[i];
        }

        var reading = _monitor.Detector.LastReading;
        return new SiteTrafficRate
        {
            LastSecond = RateSeries.StartOf(last),
            EventsPerSecond = sum / _rateWindowSeconds,
            RateWindowSeconds = _rateWindowSeconds,
            PerSecond = series,
            SeriesStart = RateSeries.StartOf(first),
            BaselineMean = reading?.BaselineMean,
            BaselineStdDev = reading?.StdDev,
            ZScore = reading?.ZScore,
            OpenIncidentId = _monitor.Detector.OpenIncidentId,
            ReportingSilos = reporting,
        };
    }

    /// <summary>Copies the state out for persistence, stamped with <paramref name="now"/>.</summary>
    public SiteTrafficState Snapshot(DateTime now)
    {
        var (seconds, counts) = _history.Snapshot();
        return new SiteTrafficState
        {
            SavedAt = now,
            Monitor = _monitor.Snapshot(),
            HistorySeconds = seconds,
            HistoryCounts = counts,
            Senders = [.. _senders.Values.Select(s => new SiteSenderState { Sender = s.Sender, Sequence = s.Sequence, LastSeen = s.LastSeen })],
        };
    }
}
