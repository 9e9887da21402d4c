namespace Analytics.Contracts.Queries;

/// <summary>
/// The global merge of staged traffic aggregation (key 0). Each silo pre-aggregates the events of its own polls
/// and reports its partial counts about once a second; on a timer this grain merges them, ranks candidate pages,
/// takes exact figures for the leading candidates from their page grains, and publishes a snapshot. Neither
/// events nor queries reach it: queries read the snapshot through <see cref="ITrafficQueryGrain"/> caches.
/// </summary>
public interface ITopPagesGrain : IGrainWithIntegerKey
{
    /// <summary>Merges one silo's report (idempotent: values are absolute).</summary>
    Task<TrafficReportAck> ReportAsync(SiloTrafficReport report);

    /// <summary>Returns the current snapshot, or null if its version is still <paramref name="knownVersion"/>.</summary>
    Task<TrafficSnapshot?> GetSnapshotAsync(long knownVersion);
}
