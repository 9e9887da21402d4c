namespace Analytics.Grains.Site;

/// <summary>
/// The silo-side face of the site traffic grain (the same activation as
/// <see cref="Analytics.Contracts.Site.ISiteTrafficGrain"/>, key 0): where <see cref="SiteTrafficReporter"/>s send
/// their partial counts. Not for clients.
/// </summary>
public interface ISiteTrafficReportGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Adds the reports' counts to the site's per-second series (each report at most once per sender and
    /// sequence, in order) and evaluates the seconds that are complete.
    /// </summary>
    Task ReportAsync(SiteTrafficReport[] reports);
}
