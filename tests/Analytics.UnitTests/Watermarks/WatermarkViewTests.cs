using Analytics.Grains.Watermarks;
using Xunit;

namespace Analytics.UnitTests.Watermarks;

/// <summary>The silo's cached watermark only ever moves forward.</summary>
public sealed class WatermarkViewTests
{
    private static readonly DateTime T0 = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void NewView_KnowsNoWatermark()
    {
        Assert.Null(new WatermarkView().Current);
    }

    [Fact]
    public void Advance_SetsTheWatermark_AsUtc()
    {
        var view = new WatermarkView();

        view.Advance(T0);

        Assert.Equal(T0, view.Current);
        Assert.Equal(DateTimeKind.Utc, view.Current!.Value.Kind);
    }

    [Fact]
    public void Advance_ToAnOlderWatermark_IsIgnored()
    {
        var view = new WatermarkView();
        view.Advance(T0);

        view.Advance(T0.AddTicks(-1));

        Assert.Equal(T0, view.Current);
    }

    [Fact]
    public void Advance_ToANewerWatermark_MovesForward()
    {
        var view = new WatermarkView();
        view.Advance(T0);

        view.Advance(T0.AddTicks(1));

        Assert.Equal(T0.AddTicks(1), view.Current);
    }

    [Fact]
    public void ConcurrentAdvances_EndAtTheNewest()
    {
        var view = new WatermarkView();
        var times = Enumerable.Range(0, 10_000).Select(i => T0.AddMilliseconds((i * 7919) % 10_000)).ToArray();

        Parallel.ForEach(times, view.Advance);

        Assert.Equal(T0.AddMilliseconds(9_999), view.Current);
    }
}
