namespace Analytics.Grains.Diagnostics;

/// <summary>
/// A silo-wide latency histogram with 1 ms buckets up to 2 minutes, for exact-enough percentiles in benchmarks
/// (the OpenTelemetry histogram's coarse buckets cannot give a p99). Lock-free; resettable.
/// </summary>
public sealed class LatencyRecorder
{
    private const int MaxMilliseconds = 120_000;
    private long[] _buckets = new long[MaxMilliseconds + 1];

    /// <summary>Records <paramref name="count"/> observations of <paramref name="milliseconds"/>.</summary>
    public void Record(double milliseconds, long count = 1)
    {
        var bucket = (int)Math.Clamp(Math.Round(milliseconds), 0, MaxMilliseconds);
        Interlocked.Add(ref Volatile.Read(ref _buckets)[bucket], count);
    }

    /// <summary>Starts a new measurement.</summary>
    public void Reset() => Volatile.Write(ref _buckets, new long[MaxMilliseconds + 1]);

    /// <summary>Returns the observation count and the given percentiles (0–100) in milliseconds.</summary>
    public (long Count, double[] Percentiles) Summarize(params double[] percentiles)
    {
        var buckets = Volatile.Read(ref _buckets);
        long total = 0;
        foreach (var b in buckets) total += b;
        var result = new double[percentiles.Length];
        if (total == 0) return (0, result);
        for (var i = 0; i < percentiles.Length; i++)
        {
            var rank = (long)Math.Ceiling(percentiles[i] * total / 100.0); // nearest rank
            long seen = 0;
            for (var ms = 0; ms < buckets.Length; ms++)
            {
                seen += buckets[ms];
                if (seen >= Math.Max(rank, 1)) { result[i] = ms; break; }
            }
        }
        return (total, result);
    }
}
