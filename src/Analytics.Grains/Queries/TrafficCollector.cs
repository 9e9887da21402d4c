using Analytics.Contracts.Events;
using Analytics.Contracts.Queries;
using Analytics.Grains.Streaming;
using Analytics.Grains.Watermarks;
using Analytics.Grains.Windows;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>
/// Stage one of the live rankings, one per silo: sees every well-formed event of this silo's polls (no grain
/// call) and keeps partial counts: page views and a visitor sketch per page and minute for the last hour,
/// events per wall-clock second, and a sketch of active session ids per minute. <see cref="TrafficReporter"/>
/// sends them to the merge about once a second. Thread-safe: pulling agents call it concurrently.
/// </summary>
/// <remarks>
/// Page views for a minute that is already final (behind the watermark, or past the wall-clock deadline) are
/// late: the page grains keep them out of the rollups, so the counts here leave them out too.
/// </remarks>
public sealed class TrafficCollector : IPollObserver
{
    private const int SecondSlots = 128;
    private const int ReportedSeconds = 10;
    private const int TrackedMinutes = 60;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<DateTime, PageMinute>> _pages = new(StringComparer.Ordinal);
    private readonly HashSet<(string Page, DateTime Minute)> _changed = [];
    private readonly Dictionary<DateTime, DistinctSketch> _sessions = [];
    private readonly long[] _secondStamps = new long[SecondSlots];
    private readonly long[] _secondCounts = new long[SecondSlots];
    private readonly LiveQueryOptions _options;
    private readonly WatermarkView _watermark;
    private readonly TimeSpan _finalAfterEnd;
    private readonly TimeProvider _time;
    private int _pageMinutes;
    private long _dropped;

    /// <summary>Creates the collector.</summary>
    public TrafficCollector(IOptions<LiveQueryOptions> options, IOptions<PipelineOptions> pipeline, WatermarkView watermark, TimeProvider time)
    {
        _options = options.Value;
        _finalAfterEnd = pipeline.Value.FinalAfterEnd;
        _watermark = watermark;
        _time = time;
    }

    /// <summary>Page views not tracked because <see cref="LiveQueryOptions.MaxTrackedPageMinutes"/> was reached.</summary>
    public long DroppedViews => Interlocked.Read(ref _dropped);

    /// <inheritdoc />
    public void OnEvents(int partition, IReadOnlyList<AnalyticsEvent> events, DateTime polledAt)
    {
        var second = UnixSecond(polledAt);
        var slot = (int)(second % SecondSlots);
        var watermark = _watermark.Current ?? DateTime.MinValue;
        lock (_gate)
        {
            if (_secondStamps[slot] != second)
            {
                _secondStamps[slot] = second;
                _secondCounts[slot] = 0;
            }
            _secondCounts[slot] += events.Count;
            foreach (var evt in events)
            {
                var minute = TrafficWindows.MinuteOf(evt.Timestamp);
                if (evt.SessionId.Length > 0) SessionsOf(minute).Add(VisitorHash.Of(evt.SessionId));
                if (!evt.IsPageView) continue;
                var end = minute.AddMinutes(1);
                if (end <= watermark || polledAt >= end + _finalAfterEnd) continue;
                if (GetOrAdd(evt.Page, minute) is not { } entry)
                {
                    _dropped++;
                    continue;
                }
                entry.Views++;
                if (evt.UserId.Length > 0) entry.Visitors.Add(VisitorHash.Of(evt.UserId));
                _changed.Add((evt.Page, minute));
            }
        }
    }

    /// <summary>
    /// Builds this silo's next report: the page-minutes changed since the last one (or all of them), the last
    /// completed seconds, the active-session sketch and the 60-minute visitor sketches of <paramref name="sketchPages"/>.
    /// Drops what has left the last hour first.
    /// </summary>
    public SiloTrafficReport TakeReport(string siloId, Guid epoch, bool full, IReadOnlyCollection<string> sketchPages, long lateEvents, long deadLettered)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var currentMinute = TrafficWindows.MinuteOf(now);
        var oldestMinute = currentMinute.AddMinutes(1 - TrackedMinutes);
        lock (_gate)
        {
            Prune(oldestMinute, now - _options.ActiveSessionWindow);
            var pageMinutes = full
                ? _pages.SelectMany(p => p.Value.Select(m => new PageMinuteViews(p.Key, m.Key, m.Value.Views))).ToArray()
                : _changed.Where(k => _pages.TryGetValue(k.Page, out var minutes) && minutes.ContainsKey(k.Minute))
                    .Select(k => new PageMinuteViews(k.Page, k.Minute, _pages[k.Page][k.Minute].Views)).ToArray();
            _changed.Clear();

            var sessions = new DistinctSketch(_options.SessionSketchPrecision);
            foreach (var sketch in _sessions.Values) sessions.UnionWith(sketch);

            var visitors = new List<PageSketch>(sketchPages.Count);
            foreach (var page in sketchPages)
            {
                if (!_pages.TryGetValue(page, out var minutes)) continue;
                var union = new DistinctSketch(_options.VisitorSketchPrecision);
                foreach (var m in minutes.Values) union.UnionWith(m.Visitors);
                visitors.Add(new PageSketch(page, union.ToData()));
            }

            return new SiloTrafficReport
            {
                SiloId = siloId,
                Epoch = epoch,
                IsFull = full,
                PageMinutes = pageMinutes,
                Seconds = CompletedSeconds(now),
                LateEvents = lateEvents,
                DeadLetteredEvents = deadLettered,
                Sessions = sessions.ToData(),
                PageVisitors = [.. visitors],
                ReportedAt = now,
            };
        }
    }

    private SecondEvents[] CompletedSeconds(DateTime now)
    {
        var current = UnixSecond(now);
        var seconds = new SecondEvents[ReportedSeconds];
        for (var i = 0; i < ReportedSeconds; i++)
        {
            var second = current - ReportedSeconds + i;
            var slot = (int)(second % SecondSlots);
            seconds[i] = new SecondEvents(DateTime.UnixEpoch.AddSeconds(second), _secondStamps[slot] == second ? _secondCounts[slot] : 0);
        }
        return seconds;
    }

    private PageMinute? GetOrAdd(string page, DateTime minute)
    {
        if (!_pages.TryGetValue(page, out var minutes))
        {
            if (_pageMinutes >= _options.MaxTrackedPageMinutes) return null;
            minutes = [];
            _pages[page] = minutes;
        }
        if (minutes.TryGetValue(minute, out var entry)) return entry;
        if (_pageMinutes >= _options.MaxTrackedPageMinutes) return null;
        entry = new PageMinute(_options.VisitorSketchPrecision);
        minutes[minute] = entry;
        _pageMinutes++;
        return entry;
    }

    private DistinctSketch SessionsOf(DateTime minute)
    {
        if (!_sessions.TryGetValue(minute, out var sketch))
        {
            sketch = new DistinctSketch(_options.SessionSketchPrecision);
            _sessions[minute] = sketch;
        }
        return sketch;
    }

    private void Prune(DateTime oldestMinute, DateTime oldestSessionActivity)
    {
        List<string>? emptyPages = null;
        foreach (var (page, minutes) in _pages)
        {
            var removed = 0;
            foreach (var minute in minutes.Keys)
            {
                if (minute < oldestMinute && minutes.Remove(minute)) removed++;
            }
            _pageMinutes -= removed;
            if (minutes.Count == 0) (emptyPages ??= []).Add(page);
        }
        foreach (var page in emptyPages ?? []) _pages.Remove(page);
        var oldestSessionMinute = TrafficWindows.MinuteOf(oldestSessionActivity);
        foreach (var minute in _sessions.Keys)
        {
            if (minute < oldestSessionMinute) _sessions.Remove(minute);
        }
    }

    private static long UnixSecond(DateTime time) => (time.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond;

    private sealed class PageMinute(int precision)
    {
        public long Views;
        public readonly DistinctSketch Visitors = new(precision);
    }
}
