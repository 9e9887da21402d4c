using Analytics.Grains.Anomalies;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

public sealed class RollingStatisticsTests
{
    [Fact]
    public void MeanAndVariance_MatchHandComputedValues()
    {
        var statistics = Filled(8, 2, 4, 4, 4, 5, 5, 7, 9);

        Assert.Equal(8, statistics.Count);
        Assert.Equal(40, statistics.Sum);
        Assert.Equal(5.0, statistics.Mean);
        Assert.Equal(4.0, statistics.PopulationVariance);
        Assert.Equal(32.0 / 7.0, statistics.SampleVariance);
        Assert.Equal(Math.Sqrt(32.0 / 7.0), statistics.SampleStdDev);
    }

    [Fact]
    public void Sliding_DropsTheOldestSecondExactly()
    {
        var statistics = Filled(3, 1, 2, 3);
        Assert.Equal(2.0, statistics.Mean);
        Assert.Equal(1.0, statistics.SampleVariance);

        statistics.Push(10); // window is now 2, 3, 10

        Assert.Equal(5.0, statistics.Mean);
        Assert.Equal(19.0, statistics.SampleVariance); // (9 + 4 + 25) / 2
        Assert.Equal(38.0 / 3.0, statistics.PopulationVariance);
    }

    [Fact]
    public void ExcludedSeconds_TakeASlotButNoPartInTheStatistics()
    {
        var statistics = new RollingStatistics(4);
        statistics.Push(1);
        statistics.PushExcluded();
        statistics.Push(3);
        statistics.Push(5);
        Assert.Equal(3, statistics.Count);
        Assert.Equal(3.0, statistics.Mean);
        Assert.Equal(4.0, statistics.SampleVariance);

        statistics.Push(7); // 1 leaves: excluded, 3, 5, 7
        Assert.Equal(3, statistics.Count);
        Assert.Equal(5.0, statistics.Mean);
        Assert.Equal(4.0, statistics.SampleVariance);

        statistics.Push(9); // the excluded slot leaves: 3, 5, 7, 9
        Assert.Equal(4, statistics.Count);
        Assert.Equal(6.0, statistics.Mean);
        Assert.Equal(20.0 / 3.0, statistics.SampleVariance);
    }

    [Fact]
    public void EmptyAndSingleValueWindows_ReportZeroVariance()
    {
        var statistics = new RollingStatistics(5);
        Assert.Equal(0, statistics.Count);
        Assert.Equal(0.0, statistics.Mean);
        Assert.Equal(0.0, statistics.PopulationVariance);
        Assert.Equal(0.0, statistics.SampleVariance);

        statistics.Push(42);
        Assert.Equal(42.0, statistics.Mean);
        Assert.Equal(0.0, statistics.PopulationVariance);
        Assert.Equal(0.0, statistics.SampleVariance);
    }

    [Fact]
    public void RoundTripThroughArray_KeepsOrderExclusionsAndStatistics()
    {
        var statistics = Filled(5, 3, 1, 4, 1, 5, 9, 2);
        statistics.PushExcluded();

        var restored = RollingStatistics.FromArray(statistics.ToArray());

        Assert.Equal([1L, 5, 9, 2, RollingStatistics.ExcludedSlot], restored.ToArray());
        Assert.Equal(statistics.Mean, restored.Mean);
        Assert.Equal(statistics.SampleVariance, restored.SampleVariance);
        restored.Push(6);
        statistics.Push(6);
        Assert.Equal(statistics.ToArray(), restored.ToArray());
        Assert.Equal(statistics.SampleVariance, restored.SampleVariance);
    }

    [Fact]
    public void LargeCountsWithTinyVariance_MatchATwoPassDecimalComputation_AfterAMillionSlides()
    {
        // A billion events per second with a spread of a few: a double sum of squares (~6e20) cannot even
        // represent the variance; the exact integer sums must not drift however long the window slides.
        var random = new Random(20260622);
        var statistics = new RollingStatistics(600);
        for (var i = 1; i <= 1_000_000; i++)
        {
            statistics.Push(1_000_000_000L + random.Next(0, 7));
            if (i % 250_000 == 0)
            {
                var (mean, variance) = TwoPass(statistics.ToArray());
                Assert.Equal((double)mean, statistics.Mean, 1e-15 * (double)mean);
                Assert.Equal((double)variance, statistics.SampleVariance, 1e-12 * (double)variance);
            }
        }
    }

    [Fact]
    public void ExtremeCounts_DoNotOverflow()
    {
        // Alternating v and v + 1 at the largest value and window: population variance is exactly 1/4.
        var statistics = new RollingStatistics(RollingStatistics.MaxCapacity);
        for (var i = 0; i < RollingStatistics.MaxCapacity; i++)
        {
            statistics.Push(RollingStatistics.MaxValue - (i % 2));
        }

        Assert.Equal(0.25, statistics.PopulationVariance);
        Assert.Equal(RollingStatistics.MaxValue - 0.5, statistics.Mean);
    }

    [Fact]
    public void ValuesOutsideTheAcceptedRange_AreRejected()
    {
        var statistics = new RollingStatistics(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.Push(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => statistics.Push(RollingStatistics.MaxValue + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RollingStatistics(0));
    }

    private static RollingStatistics Filled(int capacity, params long[] values)
    {
        var statistics = new RollingStatistics(capacity);
        foreach (var value in values)
        {
            statistics.Push(value);
        }

        return statistics;
    }

    private static (decimal Mean, decimal SampleVariance) TwoPass(long[] values)
    {
        var mean = values.Sum(v => (decimal)v) / values.Length;
        var squares = values.Sum(v => ((decimal)v - mean) * ((decimal)v - mean));
        return (mean, squares / (values.Length - 1));
    }
}
