namespace Analytics.Grains.Archive;

/// <summary>
/// The durable record of who archives one Kafka partition and which offset range it is writing (key
/// <c>{topic}/{partition}</c>, see <see cref="ArchiveLedgerKey"/>). It fences partition ownership: a silo may insert a
/// range only after claiming it under its current lease, a new owner's lease revokes the previous one, and the last
/// claimed range is known to the next owner, which repeats that insert with the same deduplication token. So a
/// previous owner that is slow rather than dead can neither insert new ranges after the hand-over nor duplicate the
/// one it was writing. Not for clients.
/// </summary>
public interface IArchiveLedgerGrain : IGrainWithStringKey
{
    /// <summary>Grants a new lease on the partition, revoking any earlier one, and returns it with the last claim.</summary>
    Task<ArchiveLease> AcquireAsync();

    /// <summary>
    /// Records that the holder of <paramref name="leaseId"/> is about to insert <paramref name="range"/>; returns false
    /// when that lease has been revoked (another silo owns the partition now). Claiming the last claimed range again is
    /// a no-op (a retry); a range must start after the last claimed one.
    /// </summary>
    Task<bool> ClaimAsync(Guid leaseId, ArchiveRange range);
}
