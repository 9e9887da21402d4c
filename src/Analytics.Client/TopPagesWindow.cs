namespace Analytics.Client;

/// <summary>
/// A live ranking window: the most recent one-minute event-time windows, the current (still open) minute
/// included. So <see cref="LastMinute"/> restarts at every whole minute.
/// </summary>
public enum TopPagesWindow
{
    /// <summary>The current minute window. Exact views and distinct visitors.</summary>
    LastMinute = 1,

    /// <summary>The current minute window and the four before it. Exact views; distinct visitors exact across the five minutes (see <see cref="TopPage.UniqueVisitorsExact"/>).</summary>
    LastFiveMinutes = 5,

    /// <summary>The current minute window and the 59 before it. Approximate views and distinct visitors (HyperLogLog).</summary>
    LastHour = 60,
}
