using Analytics.Contracts.Events;
using Analytics.Grains;
using Analytics.Grains.Queries;
using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Analytics.UnitTests.Queries;

public sealed class TrafficCollectorTests
{
    private static readonly DateTime Start = new(2026, 11, 25, 10, 0, 5, DateTimeKind.Utc);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(Start));
    private readonly WatermarkView _watermark = new();
    private readonly TrafficCollector _collector;

    public TrafficCollectorTests()
    {
        _collector = new TrafficCollector(Options.Create(new LiveQueryOptions()), Options.Create(new PipelineOptions()), _watermark, _time);
    }

    [Fact]
    public void PageViews_AreCountedPerPageAndMinute_AndOnlyChangesAreReportedAgain()
    {
        _collector.OnEvents(0, [View("/a", "u1", Start), View("/a", "u2", Start), View("/b", "u1", Start), Click("/a", Start)], Start);
        _collector.OnEvents(1, [View("/a", "u1", Start.AddMinutes(-1))], Start);

        var first = _collector.TakeReport("silo", Guid.Empty, full: false, [], 0, 0);
        Assert.Equal(
            [("/a", Minute(Start.AddMinutes(-1)), 1L), ("/a", Minute(Start), 2L), ("/b", Minute(Start), 1L)],
            first.PageMinutes.Select(p => (p.Page, p.Minute, p.Views)).OrderBy(p => p.Page).ThenBy(p => p.Minute));

        _collector.OnEvents(0, [View("/b", "u3", Start)], Start);
        var second = _collector.TakeReport("silo", Guid.Empty, full: false, [], 0, 0);
        Assert.Equal([("/b", 2L)], second.PageMinutes.Select(p => (p.Page, p.Views)));

        var full = _collector.TakeReport("silo", Guid.Empty, full: true, [], 0, 0);
        Assert.Equal(3, full.PageMinutes.Length);
    }

    [Fact]
    public void VisitorsAndSessions_AreSketched_ForTheAskedPages()
    {
        _collector.OnEvents(0, [View("/a", "u1", Start, "s1"), View("/a", "u2", Start, "s2"), View("/a", "u1", Start.AddMinutes(-2), "s1"), View("/b", "u9", Start, "s3")], Start);

        var report = _collector.TakeReport("silo", Guid.Empty, full: false, ["/a", "/missing"], lateEvents: 4, deadLettered: 2);

        var visitors = Assert.Single(report.PageVisitors);
        Assert.Equal("/a", visitors.Page);
        Assert.Equal(2, DistinctSketch.Estimate(visitors.Visitors));
        Assert.Equal(3, DistinctSketch.Estimate(report.Sessions!));
        Assert.Equal((4L, 2L), (report.LateEvents, report.DeadLetteredEvents));
    }

    [Fact]
    public void LateViews_AreLeftOut_LikeTheRollupsLeaveThemOut()
    {
        _watermark.Advance(Minute(Start));
        _collector.OnEvents(0, [View("/a", "u1", Start.AddMinutes(-1).AddSeconds(5)), View("/a", "u1", Start.AddMinutes(-5))], Start);

        Assert.Empty(_collector.TakeReport("silo", Guid.Empty, full: true, [], 0, 0).PageMinutes);
    }

    [Fact]
    public void EventsPerSecond_AreReportedForTheLastCompletedSeconds()
    {
        _collector.OnEvents(0, [Click("/a", Start), Click("/a", Start)], Start);
        _collector.OnEvents(1, [Click("/b", Start)], Start.AddSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(3));

        var seconds = _collector.TakeReport("silo", Guid.Empty, full: false, [], 0, 0).Seconds;

        Assert.Equal(2, seconds.Single(s => s.Second == Start).Events);
        Assert.Equal(1, seconds.Single(s => s.Second == Start.AddSeconds(1)).Events);
        Assert.Equal(3, seconds.Sum(s => s.Events));
    }

    [Fact]
    public void PageMinutes_OlderThanAnHour_AreDropped()
    {
        _collector.OnEvents(0, [View("/a", "u1", Start)], Start);
        _time.Advance(TimeSpan.FromMinutes(61));

        Assert.Empty(_collector.TakeReport("silo", Guid.Empty, full: true, [], 0, 0).PageMinutes);
    }

    private static DateTime Minute(DateTime t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    private static AnalyticsEvent View(string page, string user, DateTime at, string session = "") =>
        new() { EventType = EventTypes.PageView, Page = page, UserId = user, SessionId = session, Timestamp = at };

    private static AnalyticsEvent Click(string page, DateTime at) =>
        new() { EventType = "click", Page = page, UserId = "u", Timestamp = at };
}
