using Analytics.Grains.Windows;
using Xunit;

namespace Analytics.UnitTests.Windows;

/// <summary>The visitor hash must be identical on every silo and run, or uniques would differ after a move.</summary>
public sealed class VisitorHashTests
{
    [Theory]
    [InlineData("", 14695981039346656037UL)]
    [InlineData("a", 620337896427418084UL)]
    [InlineData("abc123", 7600046655197016229UL)]
    [InlineData("é", 750432112251609004UL)]
    public void Hash_IsFnv1aOverUtf16CodeUnits_PinnedAcrossRuns(string visitor, ulong expected)
    {
        Assert.Equal(expected, VisitorHash.Of(visitor));
    }

    [Fact]
    public void DistinctVisitors_HaveDistinctHashes_InASample()
    {
        var hashes = Enumerable.Range(0, 100_000).Select(i => VisitorHash.Of($"user-{i}")).ToHashSet();

        Assert.Equal(100_000, hashes.Count);
    }

    [Fact]
    public void Hash_IsCaseSensitive()
    {
        Assert.NotEqual(VisitorHash.Of("Alice"), VisitorHash.Of("alice"));
    }
}
