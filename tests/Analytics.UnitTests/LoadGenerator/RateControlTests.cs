using Analytics.LoadGenerator;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class RateControlTests
{
    private const long Frequency = 1_000_000; // timestamps in microseconds

    [Fact]
    public void Bucket_AccruesRateTimesElapsed_AndHandsOutWholeTokens()
    {
        var bucket = new TokenBucket(50_000, TimeSpan.FromMilliseconds(100), 0, Frequency);

        bucket.Refill(1_000); // 1 ms
        Assert.Equal(50, bucket.Take(1024));
        Assert.Equal(0, bucket.Take(1024));

        bucket.Refill(1_030); // 30 µs: 1.5 tokens
        Assert.Equal(1, bucket.Take(1024));
        Assert.Equal(0.5, bucket.Available, 9);
        Assert.Equal(TimeSpan.FromMicroseconds(10), bucket.TimeUntilNextToken());
    }

    [Fact]
    public void Bucket_CapsBursts_AtTheBurstWindow()
    {
        var bucket = new TokenBucket(1_000, TimeSpan.FromMilliseconds(100), 0, Frequency);

        bucket.Refill(10 * Frequency); // 10 s idle

        Assert.Equal(100, bucket.Take(int.MaxValue));
    }

    [Fact]
    public void Bucket_KeepsTheOldRate_ForTimeBeforeARateChange()
    {
        var bucket = new TokenBucket(1_000, TimeSpan.FromSeconds(10), 0, Frequency);

        bucket.SetRate(Frequency, 5_000); // 1 s at 1000/s, then 5000/s
        bucket.Refill(2 * Frequency);

        Assert.Equal(6_000, bucket.Take(int.MaxValue));
    }

    [Fact]
    public void Bucket_AtRateZero_NeverFills()
    {
        var bucket = new TokenBucket(0, TimeSpan.FromSeconds(1), 0, Frequency);

        bucket.Refill(100 * Frequency);

        Assert.Equal(0, bucket.Take(10));
        Assert.Equal(TimeSpan.MaxValue, bucket.TimeUntilNextToken());
    }

    [Fact]
    public void Schedule_ActivatesIncidentsInTheirWindows_AndMultipliesOverlaps()
    {
        var catalog = new PageCatalog(20, "");
        var schedule = new IncidentSchedule(
            [
                new IncidentSpec { Kind = IncidentKind.Spike, Page = "/docs", At = TimeSpan.FromSeconds(10), Factor = 4, For = TimeSpan.FromSeconds(10) },
                new IncidentSpec { Kind = IncidentKind.Spike, Rank = 3, At = TimeSpan.FromSeconds(15), Factor = 2 },
                new IncidentSpec { Kind = IncidentKind.Drop, At = TimeSpan.FromSeconds(12), Factor = 0.5, For = TimeSpan.FromSeconds(1) },
            ],
            catalog);

        Assert.False(schedule.TryGetChange(TimeSpan.FromSeconds(5), out _));

        Assert.True(schedule.TryGetChange(TimeSpan.FromSeconds(10), out var atTen));
        Assert.Equal(1.0, atTen.SiteFactor);
        Assert.Equal(new Dictionary<int, double> { [2] = 4 }, atTen.PageFactors);
        Assert.False(schedule.TryGetChange(TimeSpan.FromSeconds(11), out _));

        Assert.True(schedule.TryGetChange(TimeSpan.FromSeconds(12.5), out var atTwelve));
        Assert.Equal(0.5, atTwelve.SiteFactor);

        Assert.True(schedule.TryGetChange(TimeSpan.FromSeconds(16), out var atSixteen));
        Assert.Equal(1.0, atSixteen.SiteFactor);
        Assert.Equal(new Dictionary<int, double> { [2] = 8 }, atSixteen.PageFactors);

        Assert.True(schedule.TryGetChange(TimeSpan.FromSeconds(20), out var atTwenty));
        Assert.Equal(new Dictionary<int, double> { [2] = 2 }, atTwenty.PageFactors);
    }

    [Fact]
    public void IncidentPages_ResolveWithOrWithoutThePrefix()
    {
        var catalog = new PageCatalog(10, "/run-3");

        Assert.Equal(1, new IncidentSpec { Kind = IncidentKind.Spike, Page = "/pricing", Factor = 2 }.ResolvePage(catalog));
        Assert.Equal(1, new IncidentSpec { Kind = IncidentKind.Spike, Page = "/run-3/pricing", Factor = 2 }.ResolvePage(catalog));
        Assert.Equal(0, new IncidentSpec { Kind = IncidentKind.Spike, Rank = 1, Factor = 2 }.ResolvePage(catalog));
        Assert.Null(new IncidentSpec { Kind = IncidentKind.Spike, Rank = 10, Factor = 2 }.Validate(catalog));
        Assert.NotNull(new IncidentSpec { Kind = IncidentKind.Spike, Rank = 11, Factor = 2 }.Validate(catalog));
        Assert.NotNull(new IncidentSpec { Kind = IncidentKind.Spike, Rank = 1, Page = "/", Factor = 2 }.Validate(catalog));
    }
}
