using Analytics.Contracts.Anomalies;
using Analytics.Contracts.Queries;
using Analytics.Contracts.Sessions;

namespace Analytics.Client;

/// <summary>Grain-call types to the SDK's own types (the only place that knows both).</summary>
internal static class Mapping
{
    public static TopPages ToTopPages(TrafficSnapshot snapshot, TopPagesWindow window, int limit)
    {
        var contractWindow = (TrafficWindow)(int)window;
        var currentMinute = snapshot.CurrentMinute == default ? TrafficWindows.MinuteOf(DateTime.UtcNow) : snapshot.CurrentMinute;
        var pages = snapshot.For(contractWindow).Take(limit).Select(p => new TopPage
        {
            Page = p.Page,
            Views = p.Views,
            UniqueVisitors = p.UniqueVisitors,
            ViewsExact = p.ViewsExact,
            UniqueVisitorsExact = p.UniqueVisitorsExact,
        }).ToList();
        return new TopPages
        {
            Window = window,
            From = contractWindow.StartAt(currentMinute),
            AsOf = snapshot.AsOf,
            IsApproximate = window == TopPagesWindow.LastHour || pages.Any(p => p.IsApproximate),
            Pages = pages,
        };
    }

    public static PageStats ToPageStats(PageTraffic traffic) => new()
    {
        Page = traffic.Page,
        AsOf = traffic.AsOf,
        LastMinute = ToWindow(traffic.OneMinute),
        LastFiveMinutes = ToWindow(traffic.FiveMinutes),
        Minutes = traffic.Minutes.Select(m => new MinuteStats
        {
            Minute = m.Minute,
            Views = m.Views,
            UniqueVisitors = m.UniqueVisitors,
            Events = m.Events,
            LateEvents = m.LateEvents,
            IsFinal = m.IsFinal,
        }).ToList(),
        TotalEvents = traffic.TotalEvents,
        LateEvents = traffic.TotalLateEvents,
        Watermark = traffic.Watermark,
    };

    public static SiteOverview ToOverview(TrafficSnapshot snapshot) => new()
    {
        AsOf = snapshot.AsOf,
        EventsPerSecond = snapshot.Site.EventsPerSecond,
        EventsPerSecondSeries = snapshot.Site.Series.Select(s => new RatePoint(s.Second, s.Events)).ToList(),
        ActiveSessions = snapshot.Site.ActiveSessions,
        ActiveSessionWindow = snapshot.Site.ActiveSessionWindow,
        LateEvents = snapshot.Site.LateEvents,
        DeadLetteredEvents = snapshot.Site.DeadLetteredEvents,
        Silos = snapshot.Site.ReportingSilos,
    };

    public static SessionInfo ToSession(SessionLiveState s) => new()
    {
        SessionId = s.SessionId,
        UserId = s.UserId,
        StartedAt = s.StartedAt,
        LastActivityAt = s.LastActivityAt,
        PageViews = s.PageViews,
        Events = s.Events,
        EntryPage = s.EntryPage,
        ExitPage = s.ExitPage,
        RecentPages = [.. s.RecentPages],
        IsClosed = s.IsClosed,
    };

    public static Anomaly ToAnomaly(AnomalyNotification n) => new()
    {
        IncidentId = n.IncidentId,
        Kind = n.Kind,
        Scope = n.Scope,
        Page = n.Page,
        Direction = n.Direction,
        StartedAt = n.StartedAt,
        DetectedAt = n.DetectedAt,
        EndedAt = n.EndedAt,
        ObservedRate = n.ObservedRate,
        BaselineMean = n.BaselineMean,
        BaselineStdDev = n.BaselineStdDev,
        ZScore = n.ZScore,
    };

    private static WindowStats ToWindow(WindowTotals t) => new()
    {
        From = t.From,
        Views = t.Views,
        UniqueVisitors = t.UniqueVisitors,
        UniqueVisitorsExact = t.UniqueVisitorsExact,
    };
}
