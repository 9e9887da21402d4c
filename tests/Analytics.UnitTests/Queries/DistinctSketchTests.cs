using Analytics.Grains.Queries;
using Xunit;

namespace Analytics.UnitTests.Queries;

public sealed class DistinctSketchTests
{
    [Fact]
    public void WhileSmall_TheCountIsExact_AndRepeatsDoNotCount()
    {
        var sketch = new DistinctSketch(10);
        for (var round = 0; round < 3; round++)
        {
            for (ulong i = 0; i < DistinctSketch.SparseLimit; i++) sketch.Add(i);
        }

        Assert.True(sketch.IsExact);
        Assert.Equal(DistinctSketch.SparseLimit, sketch.Estimate());
    }

    [Fact]
    public void UnionOfSmallSketches_IsTheExactUnion()
    {
        var a = new DistinctSketch(10);
        var b = new DistinctSketch(10);
        for (ulong i = 0; i < 30; i++) a.Add(i);
        for (ulong i = 20; i < 50; i++) b.Add(i);

        a.UnionWith(b.ToData());

        Assert.True(a.IsExact);
        Assert.Equal(50, a.Estimate());
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(20_000)]
    [InlineData(200_000)]
    public void LargeCounts_AreEstimatedWithinTheExpectedError(int distinct)
    {
        var sketch = new DistinctSketch(12);
        for (var i = 0; i < distinct; i++) sketch.Add((ulong)i * 0x9E3779B97F4A7C15UL);

        Assert.False(sketch.IsExact);
        // Standard error 1.04/sqrt(4096) = 1.6 %: 5 % is three of them.
        Assert.InRange(sketch.Estimate(), distinct * 0.95, distinct * 1.05);
    }

    [Fact]
    public void MergingPartialSketches_EqualsSketchingEverything_WhateverTheSplit()
    {
        var whole = new DistinctSketch(10);
        var parts = Enumerable.Range(0, 3).Select(_ => new DistinctSketch(10)).ToArray();
        for (var i = 0; i < 5_000; i++)
        {
            whole.Add((ulong)i);
            parts[i % 3].Add((ulong)i);
            parts[(i + 1) % 3].Add((ulong)i); // overlapping partials, as two silos seeing one visitor
        }

        var merged = new DistinctSketch(10);
        foreach (var part in parts) merged.UnionWith(part.ToData());
        merged.UnionWith(parts[0].ToData()); // a repeated report changes nothing

        Assert.Equal(whole.Estimate(), merged.Estimate());
    }

    [Fact]
    public void ASketchOfAnotherPrecision_IsIgnored()
    {
        var sketch = new DistinctSketch(10);
        var other = new DistinctSketch(12);
        other.Add(1);

        sketch.UnionWith(other.ToData());

        Assert.Equal(0, sketch.Estimate());
    }
}
