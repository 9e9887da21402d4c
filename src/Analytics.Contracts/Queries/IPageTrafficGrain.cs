namespace Analytics.Contracts.Queries;

/// <summary>
/// Exact totals of one page over several trailing windows, answered by the page grain itself (it holds the
/// per-minute visitor sets). Until the page grain implements it, the live queries derive the totals from
/// <see cref="Pages.IPageGrain.GetLiveStateAsync"/> and mark multi-minute unique counts as not exact.
/// </summary>
public interface IPageTrafficGrain : IGrainWithStringKey
{
    /// <summary>
    /// For each entry of <paramref name="fromMinutes"/>: views and distinct visitors (page views only, the
    /// rollups' rule) over all windows whose minute is at or after it, open and final alike.
    /// </summary>
    Task<WindowTotals[]> GetWindowTotalsAsync(DateTime[] fromMinutes);
}
