namespace Analytics.Grains.Anomalies;

/// <summary>The number of events in one completed second.</summary>
/// <param name="Second">The second, as Unix seconds (UTC).</param>
/// <param name="Count">How many events happened in it.</param>
public readonly record struct SecondCount(long Second, long Count);
