namespace Analytics.UnitTests.Anomalies;

/// <summary>Seeded Poisson sampling for simulated traffic.</summary>
internal static class Poisson
{
    /// <summary>
    /// Knuth's multiplication method below a mean of 30 (exact, and e^-30 is still far above double's
    /// underflow); a rounded normal above it, where the Poisson is close to normal and Knuth gets slow.
    /// </summary>
    public static long Sample(Random random, double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (mean < 30)
        {
            var limit = Math.Exp(-mean);
            var product = random.NextDouble();
            var count = 0L;
            while (product > limit)
            {
                count++;
                product *= random.NextDouble();
            }

            return count;
        }

        // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
        var normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        return Math.Max(0, (long)Math.Round(mean + (Math.Sqrt(mean) * normal)));
    }
}
