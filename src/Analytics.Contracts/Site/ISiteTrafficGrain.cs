namespace Analytics.Contracts.Site;

/// <summary>
/// The site-wide traffic of the whole cluster (one grain, key <see cref="Key"/>): silos pre-aggregate their
/// events per second and report the partial counts twice a second, so this grain sees a few calls per second,
/// never one per event. It runs the site-wide anomaly detection and answers "how busy is the site now".
/// </summary>
public interface ISiteTrafficGrain : IGrainWithIntegerKey
{
    /// <summary>The key of the one site traffic grain.</summary>
    const long Key = 0;

    /// <summary>
    /// Returns the site's event rate over the last complete seconds, the per-second counts of the last minute and
    /// the detector's current reading. Cheap (no I/O): dashboards may poll it every second.
    /// </summary>
    [ReadOnly]
    Task<SiteTrafficRate> GetCurrentRateAsync();
}
