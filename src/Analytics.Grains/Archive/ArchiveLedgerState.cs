namespace Analytics.Grains.Archive;

/// <summary>A partition's archive ledger: the current lease and the last claimed range (a few bytes per partition).</summary>
[GenerateSerializer]
[Alias("analytics.archive-ledger-state.v1")]
public sealed class ArchiveLedgerState
{
    /// <summary>The lease whose holder may claim ranges; <see cref="Guid.Empty"/> before the first owner.</summary>
    [Id(0)] public Guid LeaseId { get; set; }

    /// <summary>The range claimed last, by whichever owner.</summary>
    [Id(1)] public ArchiveRange? LastClaim { get; set; }

    /// <summary>How many leases were granted (ownership changes, for logs and tests).</summary>
    [Id(2)] public long LeasesGranted { get; set; }

    /// <summary>Grants a new lease, revoking the current one.</summary>
    public ArchiveLease Grant(Guid leaseId)
    {
        LeaseId = leaseId;
        LeasesGranted++;
        return new ArchiveLease { LeaseId = leaseId, LastClaim = LastClaim };
    }

    /// <summary>The outcome of a claim, and whether the state changed (must be persisted).</summary>
    public ClaimOutcome Claim(Guid leaseId, ArchiveRange range)
    {
        if (leaseId != LeaseId) return ClaimOutcome.Revoked;
        if (LastClaim == range) return ClaimOutcome.Repeated;
        if (range.Last < range.First)
            throw new ArgumentOutOfRangeException(nameof(range), range, "An archive range must not be empty.");
        if (LastClaim is { } last && range.First <= last.Last)
            throw new ArgumentOutOfRangeException(nameof(range), range, $"Range {range} overlaps or precedes the last claimed range {last}.");
        LastClaim = range;
        return ClaimOutcome.Claimed;
    }
}

/// <summary>What <see cref="ArchiveLedgerState.Claim"/> decided.</summary>
public enum ClaimOutcome
{
    /// <summary>The range is the new last claim; the state must be persisted before the insert.</summary>
    Claimed,

    /// <summary>The range was the last claim already (a retry); nothing changed.</summary>
    Repeated,

    /// <summary>The lease was revoked: another owner holds the partition.</summary>
    Revoked,
}
