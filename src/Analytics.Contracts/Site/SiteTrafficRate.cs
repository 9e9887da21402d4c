namespace Analytics.Contracts.Site;

/// <summary>The site's traffic "now", as <see cref="ISiteTrafficGrain.GetCurrentRateAsync"/> returns it.</summary>
/// <remarks>
/// Seconds are whole UTC seconds of event time. A second is complete (and shown) once the site detector has
/// evaluated it, about 1.5-2 s after its end, so the newest second here trails the wall clock by that much.
/// Everything is empty or zero until the first second completes.
/// </remarks>
[GenerateSerializer, Immutable]
[Alias("analytics.site-traffic-rate.v1")]
public sealed record SiteTrafficRate
{
    /// <summary>The start of the newest complete second (UTC), or <see langword="null"/> before the first one.</summary>
    [Id(0)] public DateTime? LastSecond { get; init; }

    /// <summary>Mean events per second over the last <see cref="RateWindowSeconds"/> complete seconds.</summary>
    [Id(1)] public double EventsPerSecond { get; init; }

    /// <summary>How many complete seconds <see cref="EventsPerSecond"/> averages.</summary>
    [Id(2)] public int RateWindowSeconds { get; init; }

    /// <summary>
    /// Events per second for the last 60 complete seconds, oldest first; the last element is
    /// <see cref="LastSecond"/> and the first is <see cref="SeriesStart"/>. Seconds before the grain started are 0.
    /// </summary>
    [Id(3)] public long[] PerSecond { get; init; } = [];

    /// <summary>The start of the first second of <see cref="PerSecond"/> (UTC), or <see langword="null"/> when empty.</summary>
    [Id(4)] public DateTime? SeriesStart { get; init; }

    /// <summary>The site detector's baseline mean (events/s), or <see langword="null"/> while it warms up.</summary>
    [Id(5)] public double? BaselineMean { get; init; }

    /// <summary>The standard deviation the detector divides by, or <see langword="null"/> while it warms up.</summary>
    [Id(6)] public double? BaselineStdDev { get; init; }

    /// <summary>The current z-score of the site's rate, or <see langword="null"/> while the detector warms up.</summary>
    [Id(7)] public double? ZScore { get; init; }

    /// <summary>The id of the open site-wide incident, or <see langword="null"/> when there is none.</summary>
    [Id(8)] public string? OpenIncidentId { get; init; }

    /// <summary>How many silos reported traffic in the last 10 seconds.</summary>
    [Id(9)] public int ReportingSilos { get; init; }
}
