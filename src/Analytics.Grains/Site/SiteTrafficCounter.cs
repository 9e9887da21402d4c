using Analytics.Contracts.Events;
using Analytics.Grains.Anomalies;
using Analytics.Grains.Streaming;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Site;

/// <summary>
/// This silo's share of the site-wide traffic: counts the well-formed events of every poll per second of event
/// time, until <see cref="SiteTrafficReporter"/> drains the counts and sends them to the site traffic grain. The
/// first stage of the site-wide aggregation, so that no grain sees every event.
/// </summary>
/// <remarks>
/// Called on the pulling agents' turns: a poll's events are mostly in one or two seconds, so the counts are
/// grouped in runs of equal seconds first and the lock is taken once per run. Events further than
/// <see cref="Horizon"/> from the poll time are not counted: the site detector would reject them anyway (too late
/// for a second long evaluated, or too far ahead), and they must not grow the dictionary. At most
/// <see cref="MaxSeconds"/> distinct seconds are held between two drains.
/// </remarks>
public sealed class SiteTrafficCounter : IPollObserver
{
    /// <summary>How far from the poll time an event's timestamp may be and still be counted.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromMinutes(1);

    /// <summary>How many distinct seconds are held between two drains; events for more are dropped and counted.</summary>
    public const int MaxSeconds = 4096;

    private readonly Lock _gate = new();
    private readonly bool _enabled = true;
    private Dictionary<long, long> _counts = [];
    private long _outOfRange;
    private long _overflow;

    /// <summary>Creates a counter that counts.</summary>
    public SiteTrafficCounter()
    {
    }

    /// <summary>Creates a counter that counts only while site-wide detection is on (<c>Anomalies:Enabled</c> and <c>Anomalies:Site:Enabled</c>).</summary>
    public SiteTrafficCounter(IOptions<AnomalyOptions> anomalyOptions, IOptions<SiteTrafficOptions> siteOptions)
    {
        ArgumentNullException.ThrowIfNull(anomalyOptions);
        ArgumentNullException.ThrowIfNull(siteOptions);
        _enabled = anomalyOptions.Value.Enabled && siteOptions.Value.Enabled;
    }

    /// <summary>Events left out because their timestamp was further than <see cref="Horizon"/> from the poll.</summary>
    public long OutOfRange => Interlocked.Read(ref _outOfRange);

    /// <summary>Events left out because <see cref="MaxSeconds"/> seconds were already held.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    /// <inheritdoc />
    public void OnEvents(int partition, IReadOnlyList<AnalyticsEvent> events, DateTime polledAt)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!_enabled)
        {
            return;
        }

        var earliest = RateSeries.SecondOf(polledAt - Horizon);
        var latest = RateSeries.SecondOf(polledAt + Horizon);
        long runSecond = 0;
        long runCount = 0;
        foreach (var evt in events)
        {
            var second = RateSeries.SecondOf(evt.Timestamp);
            if (second < earliest || second > latest)
            {
                Interlocked.Increment(ref _outOfRange);
                continue;
            }

            if (runCount > 0 && second != runSecond)
            {
                Add(runSecond, runCount);
                runCount = 0;
            }

            runSecond = second;
            runCount++;
        }

        if (runCount > 0)
        {
            Add(runSecond, runCount);
        }
    }

    /// <summary>Takes the counts gathered since the previous drain, oldest second first.</summary>
    public SiteSecondCount[] Drain()
    {
        Dictionary<long, long> taken;
        lock (_gate)
        {
            if (_counts.Count == 0)
            {
                return [];
            }

            taken = _counts;
            _counts = new Dictionary<long, long>(taken.Count);
        }

        var result = new SiteSecondCount[taken.Count];
        var i = 0;
        foreach (var (second, count) in taken)
        {
            result[i++] = new SiteSecondCount(second, count);
        }

        Array.Sort(result, static (a, b) => a.Second.CompareTo(b.Second));
        return result;
    }

    private void Add(long second, long count)
    {
        lock (_gate)
        {
            if (_counts.TryGetValue(second, out var known))
            {
                _counts[second] = known + count;
                return;
            }

            if (_counts.Count >= MaxSeconds)
            {
                Interlocked.Add(ref _overflow, count);
                return;
            }

            _counts[second] = count;
        }
    }
}
