namespace Analytics.Grains.Anomalies;

/// <summary>A detector's evaluation of one completed second, for dashboards and diagnostics.</summary>
/// <param name="Second">The evaluated second (Unix seconds, UTC): the last one of the evaluation window.</param>
/// <param name="Rate">The current rate: mean events per second over the evaluation window.</param>
/// <param name="BaselineMean">The baseline mean, events per second.</param>
/// <param name="StdDev">The standard deviation used, after the floors.</param>
/// <param name="ZScore">(<paramref name="Rate"/> - <paramref name="BaselineMean"/>) / <paramref name="StdDev"/>.</param>
public readonly record struct AnomalyReading(long Second, double Rate, double BaselineMean, double StdDev, double ZScore);
