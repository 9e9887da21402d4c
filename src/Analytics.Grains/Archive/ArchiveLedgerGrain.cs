using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Analytics.Grains.Archive;

/// <summary>
/// Keeps a partition's <see cref="ArchiveLedgerState"/> in grain storage and persists every change before answering,
/// so a lease or claim the caller acts on survives a crash of this grain's silo.
/// </summary>
/// <remarks>
/// A second activation of this grain (possible for a moment while cluster membership changes) cannot grant or record
/// anything on stale state: storage rejects its write (ETag), the activation is dropped and the caller retries on the
/// surviving one.
/// </remarks>
public sealed partial class ArchiveLedgerGrain(
    [PersistentState("ledger", StorageNames.Archive)] IPersistentState<ArchiveLedgerState> state,
    ILogger<ArchiveLedgerGrain> logger) : Grain, IArchiveLedgerGrain
{
    private string _partition = "";

    /// <inheritdoc />
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _partition = this.GetPrimaryKeyString();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<ArchiveLease> AcquireAsync()
    {
        var (previous, granted) = (state.State.LeaseId, state.State.LeasesGranted);
        var lease = state.State.Grant(Guid.NewGuid());
        await PersistAsync(() => (state.State.LeaseId, state.State.LeasesGranted) = (previous, granted));
        LogLeaseGranted(_partition, state.State.LeasesGranted, previous != Guid.Empty, lease.LastClaim);
        return lease;
    }

    /// <inheritdoc />
    public async Task<bool> ClaimAsync(Guid leaseId, ArchiveRange range)
    {
        var previous = state.State.LastClaim;
        switch (state.State.Claim(leaseId, range))
        {
            case ClaimOutcome.Revoked:
                LogClaimRefused(_partition, range);
                return false;
            case ClaimOutcome.Claimed:
                await PersistAsync(() => state.State.LastClaim = previous);
                return true;
            default:
                return true;
        }
    }

    /// <summary>
    /// Writes the changed state; if that fails the change is undone, so a retried call is not mistaken for a repeat of
    /// something already recorded.
    /// </summary>
    private async Task PersistAsync(Action undo)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception ex)
        {
            undo();
            // Another activation wrote since this one loaded: this state is stale. Drop it; the caller retries.
            if (ex is InconsistentStateException) DeactivateOnIdle();
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Archive lease {Count} on {Partition} granted (revoking a previous owner: {Revoking}); last claimed range {LastClaim} (empty: none).")]
    private partial void LogLeaseGranted(string partition, long count, bool revoking, ArchiveRange? lastClaim);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused the claim of {Partition} range {Range}: the lease was revoked (the partition has a new owner).")]
    private partial void LogClaimRefused(string partition, ArchiveRange range);
}
