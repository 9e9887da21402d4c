using Analytics.Contracts.Events;
using Analytics.Contracts.Flush;
using Analytics.Contracts.Pages;
using Analytics.Contracts.Queries;

namespace Analytics.Grains.Windows;

/// <summary>
/// The windowing rules of one page over its <see cref="PageWindowState"/> (pure logic, no Orleans): apply events
/// idempotently, judge lateness, close windows by watermark or wall clock, and track rollups until ClickHouse has
/// them.
/// </summary>
public sealed class PageWindows(string page, PageWindowState state, PipelineOptions options)
{
    /// <summary>Final minutes whose visitor sets stay in memory (not in persisted state) for multi-minute uniques.</summary>
    public const int RetainedVisitorMinutes = 5;

    private readonly List<(DateTime Minute, HashSet<ulong> Visitors)> _retainedVisitors = [];

    /// <summary>The state this instance works on.</summary>
    public PageWindowState State => state;

    /// <summary>
    /// Applies events in delivery order. Events at or below the applied offset of their partition are replays and
    /// skipped; events for a window that is already final are late: counted and kept for <c>late_events</c>.
    /// </summary>
    /// <param name="events">The events, in delivery order.</param>
    /// <param name="watermark">The pipeline watermark, if known.</param>
    /// <param name="now">The wall clock (UTC).</param>
    /// <param name="onApplied">Called for every event that was not a replay (on time or late).</param>
    public ApplyOutcome Apply(IEnumerable<AnalyticsEvent> events, DateTime? watermark, DateTime now, Action<AnalyticsEvent>? onApplied = null)
    {
        // Close what is due first, so a late event for such a window finds it final and counts in its rollup.
        CloseDue(watermark, now);
        int applied = 0, replayed = 0, late = 0;
        foreach (var evt in events)
        {
            if (state.AppliedOffsets.TryGetValue(evt.Partition, out var appliedOffset) && evt.Offset <= appliedOffset)
            {
                replayed++;
                continue;
            }
            state.AppliedOffsets[evt.Partition] = evt.Offset;
            state.TotalEvents++;
            onApplied?.Invoke(evt);
            var minute = MinuteOf(evt.Timestamp);
            if (IsFinal(minute, now) || GetOrOpenWindow(minute) is not { } window)
            {
                RecordLate(evt, minute, now);
                late++;
                continue;
            }
            AddToWindow(window, evt);
            applied++;
        }
        return new ApplyOutcome(applied, replayed, late);
    }

    /// <summary>
    /// Makes final every window whose end the watermark passed, or whose end is more than
    /// <see cref="PipelineOptions.FinalAfterEnd"/> behind the wall clock; returns how many were closed.
    /// </summary>
    public int CloseDue(DateTime? watermark, DateTime now)
    {
        AdvanceWatermark(watermark);
        var closed = 0;
        while (state.Open.Count > 0)
        {
            var oldest = state.Open[0];
            var dueByWatermark = oldest.End <= state.Watermark;
            var dueByWallClock = now >= oldest.End + options.FinalAfterEnd;
            if (!dueByWatermark && !dueByWallClock) break;
            Close(oldest);
            closed++;
        }
        return closed;
    }

    /// <summary>Rollups to hand to a flush grain now: never handed over, or not acknowledged in time.</summary>
    public List<PageMinuteRollup> TakeRollupsToHandOver(DateTime now)
    {
        var due = new List<PageMinuteRollup>();
        foreach (var pending in state.PendingRollups)
        {
            if (pending.HandedOverAt is { } at && now - at < options.FlushAckTimeout) continue;
            pending.HandedOverAt = now;
            due.Add(pending.Rollup);
        }
        return due;
    }

    /// <summary>
    /// Forgets rollups ClickHouse has: a pending rollup leaves only if the written version is at least its own,
    /// so a version re-issued after the hand-over (a late event) stays pending.
    /// </summary>
    public int Acknowledge(IReadOnlyCollection<FlushedWindow> flushed) =>
        state.PendingRollups.RemoveAll(p => flushed.Any(f => f.Minute == p.Rollup.Minute && f.Version >= p.Rollup.Version));

    /// <summary>
    /// Views and distinct visitors over all windows at or after each of <paramref name="fromMinutes"/>, open and
    /// final alike. Distinct visitors are exact when every final window in range still has its visitor set in
    /// memory (the last <see cref="RetainedVisitorMinutes"/>; not after a re-activation).
    /// </summary>
    public WindowTotals[] Totals(IReadOnlyList<DateTime> fromMinutes)
    {
        var result = new WindowTotals[fromMinutes.Count];
        for (var i = 0; i < fromMinutes.Count; i++)
        {
            var from = fromMinutes[i];
            var visitors = new HashSet<ulong>();
            long views = 0;
            foreach (var window in state.Open.Where(w => w.Minute >= from))
            {
                views += window.Views;
                visitors.UnionWith(window.Visitors);
            }
            var exact = true;
            foreach (var final in state.Recent.Where(r => r.Minute >= from))
            {
                views += final.Views;
                var retained = _retainedVisitors.FindIndex(r => r.Minute == final.Minute);
                if (retained >= 0) visitors.UnionWith(_retainedVisitors[retained].Visitors);
                else if (final.Views > 0) exact = false;
            }
            result[i] = new WindowTotals { From = from, Views = views, UniqueVisitors = visitors.Count, UniqueVisitorsExact = exact };
        }
        return result;
    }

    /// <summary>The live view of the page.</summary>
    public PageLiveState Snapshot() => new()
    {
        Page = page,
        OpenWindows = state.Open.Select(w => w.ToSnapshot(isFinal: false)).ToList(),
        RecentWindows = state.Recent.ToList(),
        TotalEvents = state.TotalEvents,
        TotalLateEvents = state.TotalLateEvents,
        Watermark = state.Watermark,
    };

    /// <summary>The start of the minute containing <paramref name="time"/>.</summary>
    public static DateTime MinuteOf(DateTime time) =>
        new(time.Ticks - time.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    // Final in this grain, behind the watermark, or past the wall-clock deadline (as CloseDue would judge it).
    private bool IsFinal(DateTime minute, DateTime now)
    {
        var end = minute.AddMinutes(1);
        return end <= state.ClosedThrough || end <= state.Watermark || now >= end + options.FinalAfterEnd;
    }

    private void AdvanceWatermark(DateTime? watermark)
    {
        if (watermark is { } w && w > state.Watermark) state.Watermark = w;
    }

    private MinuteWindow? GetOrOpenWindow(DateTime minute)
    {
        var index = state.Open.FindIndex(w => w.Minute >= minute);
        if (index >= 0 && state.Open[index].Minute == minute) return state.Open[index];
        if (state.Open.Count >= options.MaxOpenWindows)
        {
            // Bounded state: at the cap, an event older than every open window is late, and a newer window
            // makes the oldest one final early.
            if (index == 0) return null;
            Close(state.Open[0]);
            index--;
        }
        var window = new MinuteWindow { Minute = minute };
        if (index < 0) state.Open.Add(window);
        else state.Open.Insert(index, window);
        return window;
    }

    private static void AddToWindow(MinuteWindow window, AnalyticsEvent evt)
    {
        window.Events++;
        window.EventsByType[evt.EventType] = window.EventsByType.GetValueOrDefault(evt.EventType) + 1;
        if (!evt.IsPageView) return;
        window.Views++;
        if (evt.UserId.Length > 0) window.Visitors.Add(VisitorHash.Of(evt.UserId));
    }

    private void Close(MinuteWindow window)
    {
        state.Open.Remove(window);
        if (window.End > state.ClosedThrough) state.ClosedThrough = window.End;
        var snapshot = window.ToSnapshot(isFinal: true);
        _retainedVisitors.Add((window.Minute, window.Visitors));
        while (_retainedVisitors.Count > RetainedVisitorMinutes) _retainedVisitors.RemoveAt(0);
        state.Recent.Add(snapshot);
        while (state.Recent.Count > options.RecentWindows) state.Recent.RemoveAt(0);
        AddPending(ToRollup(snapshot));
    }

    private void RecordLate(AnalyticsEvent evt, DateTime minute, DateTime now)
    {
        state.TotalLateEvents++;
        if (state.PendingLateEvents.Count < options.MaxPendingLateEvents)
        {
            state.PendingLateEvents.Add(new LateEvent { Event = evt, Minute = minute, Watermark = state.Watermark, DetectedAt = now });
        }
        else
        {
            state.LateEventsNotRecorded++;
        }
        // A recent window's rollup is re-issued with a higher version so page_views_1m shows its late count;
        // its views and visitors stay as they were when it became final.
        var index = state.Recent.FindIndex(r => r.Minute == minute);
        if (index < 0) return;
        var updated = state.Recent[index] with { LateEvents = state.Recent[index].LateEvents + 1 };
        state.Recent[index] = updated;
        AddPending(ToRollup(updated));
    }

    private void AddPending(PageMinuteRollup rollup)
    {
        state.PendingRollups.RemoveAll(p => p.Rollup.Minute == rollup.Minute);
        state.PendingRollups.Add(new PendingRollup { Rollup = rollup });
    }

    // Version 1 + late count: grows with every re-issue, and is the same on a replay, so FINAL keeps the newest.
    private PageMinuteRollup ToRollup(WindowSnapshot window) => new()
    {
        Page = page,
        Minute = window.Minute,
        Views = window.Views,
        UniqueVisitors = window.UniqueVisitors,
        Events = window.Events,
        EventsByType = window.EventsByType,
        LateEvents = window.LateEvents,
        Version = 1 + (ulong)window.LateEvents,
    };
}

/// <summary>What applying a batch did.</summary>
/// <param name="Applied">Events added to open windows.</param>
/// <param name="Replayed">Events skipped because their offset was already applied.</param>
/// <param name="Late">Events judged late.</param>
public readonly record struct ApplyOutcome(int Applied, int Replayed, int Late);
