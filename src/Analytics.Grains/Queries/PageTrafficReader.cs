using Analytics.Contracts.Pages;
using Analytics.Contracts.Queries;

namespace Analytics.Grains.Queries;

/// <summary>
/// Reads exact per-window totals from a page grain: through <see cref="IPageTrafficGrain"/> when the page grain
/// implements it (exact distinct visitors across minutes), else from its live windows, where a sum of per-minute
/// distinct counts is exact only when at most one minute of the window has visitors.
/// </summary>
public static class PageTrafficReader
{
    private static int _pageTrafficImplemented = -1;

    /// <summary>Totals for each of <paramref name="fromMinutes"/>.</summary>
    public static async Task<WindowTotals[]> ReadTotalsAsync(IGrainFactory grains, string page, DateTime[] fromMinutes)
    {
        if (TrafficGrain(grains, page) is { } traffic) return await traffic.GetWindowTotalsAsync(fromMinutes);
        var live = await grains.GetGrain<IPageGrain>(page).GetLiveStateAsync();
        return TotalsOf(live, fromMinutes);
    }

    /// <summary>Live state and totals for each of <paramref name="fromMinutes"/>.</summary>
    public static async Task<(PageLiveState Live, WindowTotals[] Totals)> ReadAsync(IGrainFactory grains, string page, DateTime[] fromMinutes)
    {
        var live = grains.GetGrain<IPageGrain>(page).GetLiveStateAsync();
        if (TrafficGrain(grains, page) is { } traffic)
        {
            var totals = traffic.GetWindowTotalsAsync(fromMinutes);
            return (await live, await totals);
        }
        var state = await live;
        return (state, TotalsOf(state, fromMinutes));
    }

    /// <summary>Totals computed from the live windows (see the type's remarks on exactness).</summary>
    public static WindowTotals[] TotalsOf(PageLiveState live, DateTime[] fromMinutes)
    {
        var windows = Windows(live);
        return fromMinutes.Select(from =>
        {
            var inRange = windows.Where(w => w.Minute >= from).ToList();
            return new WindowTotals
            {
                From = from,
                Views = inRange.Sum(w => w.Views),
                UniqueVisitors = inRange.Sum(w => w.UniqueVisitors),
                UniqueVisitorsExact = inRange.Count(w => w.UniqueVisitors > 0) <= 1,
            };
        }).ToArray();
    }

    /// <summary>The page's minute series, oldest first.</summary>
    public static MinuteTraffic[] MinutesOf(PageLiveState live) => Windows(live)
        .Select(w => new MinuteTraffic
        {
            Minute = w.Minute,
            Views = w.Views,
            UniqueVisitors = w.UniqueVisitors,
            Events = w.Events,
            LateEvents = w.LateEvents,
            IsFinal = w.IsFinal,
        })
        .ToArray();

    private static List<WindowSnapshot> Windows(PageLiveState live) =>
        live.RecentWindows.Concat(live.OpenWindows)
            .GroupBy(w => w.Minute)
            .Select(g => g.Last())
            .OrderBy(w => w.Minute)
            .ToList();

    private static IPageTrafficGrain? TrafficGrain(IGrainFactory grains, string page)
    {
        if (Volatile.Read(ref _pageTrafficImplemented) == 0) return null;
        try
        {
            var grain = grains.GetGrain<IPageTrafficGrain>(page);
            Volatile.Write(ref _pageTrafficImplemented, 1);
            return grain;
        }
        catch (ArgumentException)
        {
            // No grain class implements it (yet): the page grain answers through its live state instead.
            Volatile.Write(ref _pageTrafficImplemented, 0);
            return null;
        }
    }
}
