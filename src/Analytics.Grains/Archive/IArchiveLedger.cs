namespace Analytics.Grains.Archive;

/// <summary>The archive writer's access to the partition ledgers (<see cref="IArchiveLedgerGrain"/>).</summary>
public interface IArchiveLedger
{
    /// <summary>Takes over archiving <paramref name="partition"/>, revoking the previous owner's lease.</summary>
    Task<ArchiveLease> AcquireAsync(string topic, int partition, CancellationToken cancellationToken);

    /// <summary>Records the claim of <paramref name="range"/>; false when the lease was revoked.</summary>
    Task<bool> ClaimAsync(string topic, int partition, Guid leaseId, ArchiveRange range, CancellationToken cancellationToken);
}
