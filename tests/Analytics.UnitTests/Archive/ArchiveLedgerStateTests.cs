using Analytics.Grains.Archive;
using Xunit;

namespace Analytics.UnitTests.Archive;

/// <summary>The fencing rules of a partition's archive ledger.</summary>
public sealed class ArchiveLedgerStateTests
{
    [Fact]
    public void NewLease_RevokesThePreviousOne_AndHandsOverTheLastClaim()
    {
        var ledger = new ArchiveLedgerState();
        var first = ledger.Grant(Guid.NewGuid());
        Assert.Null(first.LastClaim);
        Assert.Equal(ClaimOutcome.Claimed, ledger.Claim(first.LeaseId, new ArchiveRange(0, 99)));

        var second = ledger.Grant(Guid.NewGuid());

        Assert.Equal(new ArchiveRange(0, 99), second.LastClaim);
        Assert.Equal(ClaimOutcome.Revoked, ledger.Claim(first.LeaseId, new ArchiveRange(100, 199)));
        Assert.Equal(ClaimOutcome.Claimed, ledger.Claim(second.LeaseId, new ArchiveRange(100, 199)));
        Assert.Equal(2, ledger.LeasesGranted);
    }

    [Fact]
    public void ClaimingTheLastRangeAgain_IsARepeat_NotAChange()
    {
        var ledger = new ArchiveLedgerState();
        var lease = ledger.Grant(Guid.NewGuid());
        ledger.Claim(lease.LeaseId, new ArchiveRange(5, 9));

        Assert.Equal(ClaimOutcome.Repeated, ledger.Claim(lease.LeaseId, new ArchiveRange(5, 9)));
        Assert.Equal(new ArchiveRange(5, 9), ledger.LastClaim);
    }

    [Theory]
    [InlineData(0, 9)] // before
    [InlineData(8, 20)] // overlapping
    [InlineData(12, 11)] // empty
    public void RangeNotAfterTheLastClaim_IsRejected(long first, long last)
    {
        var ledger = new ArchiveLedgerState();
        var lease = ledger.Grant(Guid.NewGuid());
        ledger.Claim(lease.LeaseId, new ArchiveRange(5, 10));

        Assert.Throws<ArgumentOutOfRangeException>(() => ledger.Claim(lease.LeaseId, new ArchiveRange(first, last)));
        Assert.Equal(new ArchiveRange(5, 10), ledger.LastClaim);
    }

    [Fact]
    public void RevokedLease_CannotRepeatItsOwnLastClaimEither()
    {
        var ledger = new ArchiveLedgerState();
        var first = ledger.Grant(Guid.NewGuid());
        ledger.Claim(first.LeaseId, new ArchiveRange(0, 9));
        ledger.Grant(Guid.NewGuid());

        Assert.Equal(ClaimOutcome.Revoked, ledger.Claim(first.LeaseId, new ArchiveRange(0, 9)));
    }
}
