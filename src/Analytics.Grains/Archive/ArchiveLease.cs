namespace Analytics.Grains.Archive;

/// <summary>
/// A silo's right to archive one partition, granted by <see cref="IArchiveLedgerGrain.AcquireAsync"/>. Granting a
/// lease revokes the previous one: the previous owner's next claim is refused.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("analytics.archive-lease.v1")]
public sealed record ArchiveLease
{
    /// <summary>Identifies the lease in later claims.</summary>
    [Id(0)] public required Guid LeaseId { get; init; }

    /// <summary>
    /// The range the previous owner claimed last, or null when the ledger has no record of this partition. Every
    /// offset below it is archived; whether its own insert landed is unknown, so the new owner writes it again as the
    /// very same insert (same rows, same deduplication token) and ClickHouse keeps one copy.
    /// </summary>
    [Id(1)] public ArchiveRange? LastClaim { get; init; }
}
