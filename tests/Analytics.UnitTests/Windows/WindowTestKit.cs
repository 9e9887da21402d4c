using Analytics.Contracts.Events;
using Analytics.Grains;
using Analytics.Grains.Windows;

namespace Analytics.UnitTests.Windows;

/// <summary>Builders shared by the window tests: a fixed minute, events at offsets, and a fresh windowing instance.</summary>
internal static class WindowTestKit
{
    public const string Page = "/docs";

    /// <summary>The start of a whole minute, the window most tests use.</summary>
    public static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    public static DateTime Minute(int minutesAfterT0) => T0.AddMinutes(minutesAfterT0);

    public static AnalyticsEvent View(DateTime timestamp, long offset, string user = "u1", int partition = 0) =>
        Event(timestamp, offset, EventTypes.PageView, user, partition);

    public static AnalyticsEvent Event(DateTime timestamp, long offset, string type, string user = "u1", int partition = 0) => new()
    {
        EventType = type,
        Page = Page,
        UserId = user,
        Timestamp = timestamp,
        Partition = partition,
        Offset = offset,
    };

    public static PageWindows NewWindows(PipelineOptions? options = null) =>
        new(Page, new PageWindowState(), options ?? new PipelineOptions());

    /// <summary>Partition used by <see cref="OpenWindowsAt"/>, so a test's own offsets on partition 0 never look like replays.</summary>
    public const int SetupPartition = 99;

    /// <summary>
    /// Opens one window per given minute with one view each (visitor "setup", partition <see cref="SetupPartition"/>),
    /// with the clock at the earliest of them, so opening later minutes never makes earlier ones due.
    /// </summary>
    public static void OpenWindowsAt(this PageWindows windows, params int[] minutesAfterT0)
    {
        var now = Minute(minutesAfterT0.DefaultIfEmpty(0).Min());
        foreach (var m in minutesAfterT0)
        {
            var offset = windows.State.AppliedOffsets.TryGetValue(SetupPartition, out var last) ? last + 1 : 0;
            var time = Minute(m).AddSeconds(30);
            windows.Apply([View(time, offset, "setup", SetupPartition)], watermark: null, now: now);
        }
    }

    public static DateTime[] OpenMinutes(this PageWindows windows) => windows.State.Open.Select(w => w.Minute).ToArray();

    public static DateTime[] RecentMinutes(this PageWindows windows) => windows.State.Recent.Select(w => w.Minute).ToArray();

    /// <summary>Acknowledges the currently pending version of each given minute (as a flush grain would after writing it).</summary>
    public static int AcknowledgePending(this PageWindows windows, DateTime[] minutes) =>
        windows.Acknowledge(windows.State.PendingRollups
            .Where(p => minutes.Contains(p.Rollup.Minute))
            .Select(p => new Analytics.Contracts.Flush.FlushedWindow(p.Rollup.Minute, p.Rollup.Version))
            .Concat(minutes.Where(m => windows.State.PendingRollups.All(p => p.Rollup.Minute != m)).Select(m => new Analytics.Contracts.Flush.FlushedWindow(m, 1)))
            .ToList());

    public static DateTime[] PendingMinutes(this PageWindows windows) => windows.State.PendingRollups.Select(p => p.Rollup.Minute).ToArray();
}
