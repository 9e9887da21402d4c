namespace Analytics.Contracts.Queries;

/// <summary>The live ranking windows: the most recent one-minute windows, the current (open) minute included.</summary>
public enum TrafficWindow
{
    /// <summary>The current minute window.</summary>
    OneMinute = 1,

    /// <summary>The current minute window and the four before it.</summary>
    FiveMinutes = 5,

    /// <summary>The current minute window and the 59 before it (views and visitors approximate).</summary>
    SixtyMinutes = 60,
}

/// <summary>Helpers for <see cref="TrafficWindow"/>.</summary>
public static class TrafficWindows
{
    /// <summary>Every window, shortest first.</summary>
    public static IReadOnlyList<TrafficWindow> All { get; } = [TrafficWindow.OneMinute, TrafficWindow.FiveMinutes, TrafficWindow.SixtyMinutes];

    /// <summary>The number of one-minute windows the window spans.</summary>
    public static int Minutes(this TrafficWindow window) => (int)window;

    /// <summary>The first minute (UTC, inclusive) of <paramref name="window"/> when the current minute is <paramref name="currentMinute"/>.</summary>
    public static DateTime StartAt(this TrafficWindow window, DateTime currentMinute) => currentMinute.AddMinutes(1 - window.Minutes());

    /// <summary>The start of the minute containing <paramref name="time"/> (UTC).</summary>
    public static DateTime MinuteOf(DateTime time) => new(time.Ticks - time.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}
