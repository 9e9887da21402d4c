using Analytics.LoadGenerator;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class ZipfSamplerTests
{
    [Fact]
    public void Probabilities_SumToOne_AndDecreaseWithRank()
    {
        var zipf = new ZipfSampler(200, 1.1);

        var sum = Enumerable.Range(0, zipf.Count).Sum(zipf.Probability);

        Assert.Equal(1.0, sum, 12);
        for (var rank = 1; rank < zipf.Count; rank++)
        {
            Assert.True(zipf.Probability(rank) < zipf.Probability(rank - 1), $"rank {rank} is not less popular than rank {rank - 1}");
        }

        // The law itself: p(rank) / p(0) = 1 / (rank + 1)^s.
        Assert.Equal(1 / Math.Pow(10, 1.1), zipf.Probability(9) / zipf.Probability(0), 12);
    }

    [Fact]
    public void Samples_WithFixedSeed_MatchTheLawWithinTolerance()
    {
        const int Draws = 400_000;
        var zipf = new ZipfSampler(200, 1.1);
        var random = new Random(42);
        var counts = new int[zipf.Count];

        for (var i = 0; i < Draws; i++)
        {
            counts[zipf.Sample(random)]++;
        }

        Assert.Equal(0, Array.IndexOf(counts, counts.Max()));
        for (var rank = 0; rank < 30; rank++)
        {
            var p = zipf.Probability(rank);
            var expected = p * Draws;
            var sigma = Math.Sqrt(Draws * p * (1 - p));
            Assert.True(
                Math.Abs(counts[rank] - expected) < 5 * sigma,
                $"rank {rank}: {counts[rank]} draws, expected {expected:0} ± {5 * sigma:0}");
        }

        // The tail as a whole too: ranks 30..199.
        var tailExpected = Enumerable.Range(30, 170).Sum(zipf.Probability) * Draws;
        Assert.InRange(counts.Skip(30).Sum(), tailExpected * 0.98, tailExpected * 1.02);
    }

    [Fact]
    public void SameSeed_GivesSameSequence()
    {
        var zipf = new ZipfSampler(50, 1.3);
        var first = new Random(7);
        var second = new Random(7);

        var a = Enumerable.Range(0, 1000).Select(_ => zipf.Sample(first)).ToArray();
        var b = Enumerable.Range(0, 1000).Select(_ => zipf.Sample(second)).ToArray();

        Assert.Equal(a, b);
    }

    [Fact]
    public void RankAt_IsTheInverseCdf()
    {
        var zipf = new ZipfSampler(4, 0);

        Assert.Equal(0, zipf.RankAt(0));
        Assert.Equal(0, zipf.RankAt(0.2499));
        Assert.Equal(1, zipf.RankAt(0.25));
        Assert.Equal(2, zipf.RankAt(0.5));
        Assert.Equal(3, zipf.RankAt(0.9999999));
        Assert.All(Enumerable.Range(0, 4), rank => Assert.Equal(0.25, zipf.Probability(rank), 12));
    }

    [Fact]
    public void SinglePage_AlwaysSamplesIt()
    {
        var zipf = new ZipfSampler(1, 1.1);
        var random = new Random(1);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(0, zipf.Sample(random)));
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(10, -0.5)]
    [InlineData(10, double.NaN)]
    public void InvalidArguments_Throw(int count, double exponent)
    {
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => new ZipfSampler(count, exponent));
    }
}
