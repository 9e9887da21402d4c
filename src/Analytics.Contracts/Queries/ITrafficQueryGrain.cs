namespace Analytics.Contracts.Queries;

/// <summary>
/// The query entry point for clients: a stateless worker (one per silo, key 0) that caches the merged snapshot
/// of <see cref="ITopPagesGrain"/> for about a second, so any number of queries cost the merge one read per
/// silo per second.
/// </summary>
public interface ITrafficQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The merged snapshot (top pages of every window and site figures).</summary>
    Task<TrafficSnapshot> GetSnapshotAsync();

    /// <summary>One page's live traffic, read from its page grain.</summary>
    Task<PageTraffic> GetPageAsync(string page);
}
