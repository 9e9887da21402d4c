namespace Analytics.Contracts.Pages;

/// <summary>
/// One grain per page path. It consumes the <c>page</c> stream namespace (implicit subscription) and keeps
/// one-minute event-time windows; closed windows are handed to a flush grain.
/// </summary>
public interface IPageGrain : IGrainWithStringKey
{
    /// <summary>Returns the live windows of this page.</summary>
    Task<PageLiveState> GetLiveStateAsync();

    /// <summary>
    /// Called by a flush grain once ClickHouse holds the given rollup versions, so they can leave grain state.
    /// </summary>
    [OneWay]
    Task AcknowledgeFlushedAsync(Flush.FlushedWindow[] flushed);
}
