namespace Analytics.Grains.Anomalies;

/// <summary>
/// Mean and variance of the last <see cref="Capacity"/> per-second event counts, sliding by one second per
/// <see cref="Push"/> or <see cref="PushExcluded"/>. A slot can be excluded (a second that belongs to an incident,
/// or one not observed yet); excluded slots take part in the sliding but not in the statistics.
/// </summary>
/// <remarks>
/// <para>
/// Why exact integer sums rather than Welford's algorithm or Kahan summation: the inputs are whole event counts,
/// so the sum fits a <see cref="long"/> and the sum of squares an <see cref="Int128"/> for every value this class
/// accepts (at most <see cref="MaxValue"/>, at most <see cref="MaxCapacity"/> slots). Adding and removing a
/// second is then exact integer arithmetic in O(1) that cannot drift, however many millions of times the window
/// slides. Welford's update with removal rounds on every step and needs periodic recomputation
/// from the ring to stay honest; Kahan compensation only shrinks the error, it does not remove it.
/// </para>
/// <para>
/// The textbook trap of sums of squares, catastrophic cancellation in Σx² − (Σx)²/n, does not apply either:
/// n·Σx² − (Σx)² is formed exactly in integers, and only that exact difference is rounded to a
/// <see cref="double"/>. So 1e9 events per second with a variance of a few events still comes out to the last bit
/// or so, where a double sum of squares (~6e20, 53-bit mantissa) would have lost it entirely.
/// </para>
/// </remarks>
public sealed class RollingStatistics
{
    /// <summary>The largest count one second may hold: about 1.1e12 events per second.</summary>
    public const long MaxValue = 1L << 40;

    /// <summary>The largest window: one day of seconds. With <see cref="MaxValue"/> this keeps n²·x² within Int128.</summary>
    public const int MaxCapacity = 86_400;

    /// <summary>The marker of an excluded slot in <see cref="ToArray"/> and <see cref="FromArray"/>.</summary>
    public const long ExcludedSlot = -1;

    private readonly long[] _slots;
    private int _next;
    private int _count;
    private long _sum;
    private Int128 _sumOfSquares;

    /// <summary>Creates an empty window of <paramref name="capacity"/> seconds, all excluded.</summary>
    public RollingStatistics(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        _slots = new long[capacity];
        Array.Fill(_slots, ExcludedSlot);
    }

    /// <summary>How many seconds the window spans.</summary>
    public int Capacity => _slots.Length;

    /// <summary>How many seconds of the window hold a value (are not excluded).</summary>
    public int Count => _count;

    /// <summary>The exact sum of the values in the window.</summary>
    public long Sum => _sum;

    /// <summary>The mean of the values in the window; 0 when it holds none.</summary>
    public double Mean => _count == 0 ? 0 : (double)_sum / _count;

    /// <summary>The population variance (divided by n); 0 when the window holds no value.</summary>
    public double PopulationVariance => _count == 0 ? 0 : (double)ScaledSpread() / ((double)_count * _count);

    /// <summary>The sample variance (divided by n - 1); 0 when the window holds fewer than two values.</summary>
    public double SampleVariance => _count < 2 ? 0 : (double)ScaledSpread() / ((double)_count * (_count - 1));

    /// <summary>The square root of <see cref="SampleVariance"/>.</summary>
    public double SampleStdDev => Math.Sqrt(SampleVariance);

    /// <summary>Slides the window by one second that holds <paramref name="value"/> events.</summary>
    public void Push(long value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value, MaxValue);
        Slide(value);
    }

    /// <summary>Slides the window by one second that does not count in the statistics.</summary>
    public void PushExcluded() => Slide(ExcludedSlot);

    /// <summary>The slots oldest first, <see cref="ExcludedSlot"/> for excluded ones: the state to persist.</summary>
    public long[] ToArray()
    {
        var result = new long[_slots.Length];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = _slots[(_next + i) % _slots.Length];
        }

        return result;
    }

    /// <summary>Rebuilds a window from <see cref="ToArray"/>'s output; the sums are recomputed exactly.</summary>
    public static RollingStatistics FromArray(IReadOnlyList<long> slotsOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(slotsOldestFirst);
        var statistics = new RollingStatistics(slotsOldestFirst.Count);
        foreach (var slot in slotsOldestFirst)
        {
            if (slot == ExcludedSlot)
            {
                statistics.PushExcluded();
            }
            else
            {
                statistics.Push(slot);
            }
        }

        return statistics;
    }

    private void Slide(long value)
    {
        var leaving = _slots[_next];
        if (leaving != ExcludedSlot)
        {
            _count--;
            _sum -= leaving;
            _sumOfSquares -= (Int128)leaving * leaving;
        }

        _slots[_next] = value;
        if (value != ExcludedSlot)
        {
            _count++;
            _sum += value;
            _sumOfSquares += (Int128)value * value;
        }

        _next = (_next + 1) % _slots.Length;
    }

    // n·Σx² − (Σx)² = n²·(population variance): exact, and never negative.
    private Int128 ScaledSpread() => (_count * _sumOfSquares) - ((Int128)_sum * _sum);
}
