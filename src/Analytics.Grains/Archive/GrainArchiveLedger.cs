namespace Analytics.Grains.Archive;

/// <summary>Reaches each partition's <see cref="IArchiveLedgerGrain"/> (state in the <c>archive</c> grain storage).</summary>
public sealed class GrainArchiveLedger(IGrainFactory grains) : IArchiveLedger
{
    /// <inheritdoc />
    public Task<ArchiveLease> AcquireAsync(string topic, int partition, CancellationToken cancellationToken) =>
        Ledger(topic, partition).AcquireAsync().WaitAsync(cancellationToken);

    /// <inheritdoc />
    public Task<bool> ClaimAsync(string topic, int partition, Guid leaseId, ArchiveRange range, CancellationToken cancellationToken) =>
        Ledger(topic, partition).ClaimAsync(leaseId, range).WaitAsync(cancellationToken);

    private IArchiveLedgerGrain Ledger(string topic, int partition) =>
        grains.GetGrain<IArchiveLedgerGrain>(ArchiveLedgerKey.For(topic, partition));
}
