namespace Analytics.LoadGenerator;

/// <summary>
/// Samples ranks 0..n-1 with probability proportional to <c>1 / (rank + 1)^s</c> (a Zipf law): rank 0 is the most
/// likely. The cumulative distribution is computed once; a sample is a binary search, O(log n).
/// </summary>
public sealed class ZipfSampler
{
    private readonly double[] _cdf;
    private readonly double[] _probabilities;

    /// <summary>Creates a sampler over <paramref name="count"/> ranks with exponent <paramref name="exponent"/> (0 is uniform).</summary>
    public ZipfSampler(int count, double exponent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!double.IsFinite(exponent) || exponent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(exponent), exponent, "The exponent must be a finite number >= 0.");
        }

        Exponent = exponent;
        _probabilities = new double[count];
        _cdf = new double[count];
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            _probabilities[i] = 1.0 / Math.Pow(i + 1, exponent);
            sum += _probabilities[i];
        }

        var cumulative = 0.0;
        for (var i = 0; i < count; i++)
        {
            _probabilities[i] /= sum;
            cumulative += _probabilities[i];
            _cdf[i] = cumulative;
        }

        _cdf[count - 1] = 1.0;
    }

    /// <summary>The number of ranks.</summary>
    public int Count => _cdf.Length;

    /// <summary>The exponent.</summary>
    public double Exponent { get; }

    /// <summary>The probability of <paramref name="rank"/> (0-based).</summary>
    public double Probability(int rank) => _probabilities[rank];

    /// <summary>Draws a rank using <paramref name="random"/>.</summary>
    public int Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return RankAt(random.NextDouble());
    }

    /// <summary>The rank whose cumulative interval holds <paramref name="unit"/> in [0, 1): the inverse CDF.</summary>
    public int RankAt(double unit)
    {
        var lo = 0;
        var hi = _cdf.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_cdf[mid] > unit)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return lo;
    }
}
