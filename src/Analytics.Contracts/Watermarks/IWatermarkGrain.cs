namespace Analytics.Contracts.Watermarks;

/// <summary>
/// Combines per-partition progress into the pipeline watermark. Receivers report a few times a second and each
/// silo reads it a few times a second; no event touches it.
/// </summary>
public interface IWatermarkGrain : IGrainWithIntegerKey
{
    /// <summary>Records the latest progress of some partitions.</summary>
    Task ReportAsync(PartitionProgress[] progress);

    /// <summary>Returns the current pipeline watermark (UTC), or null until any partition reported an event.</summary>
    Task<DateTime?> GetWatermarkAsync();
}
