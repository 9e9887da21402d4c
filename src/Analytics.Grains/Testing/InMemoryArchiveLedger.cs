using Analytics.Grains.Archive;

namespace Analytics.Grains.Testing;

/// <summary>
/// The ledger grains' rules (<see cref="ArchiveLedgerState"/>) in one process without Orleans, for tests of
/// <see cref="EventArchiver"/>s that stand for several silos. Thread-safe.
/// </summary>
public sealed class InMemoryArchiveLedger : IArchiveLedger
{
    private readonly Dictionary<string, ArchiveLedgerState> _ledgers = new();

    /// <inheritdoc />
    public Task<ArchiveLease> AcquireAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        lock (_ledgers) return Task.FromResult(Ledger(topic, partition).Grant(Guid.NewGuid()));
    }

    /// <inheritdoc />
    public Task<bool> ClaimAsync(string topic, int partition, Guid leaseId, ArchiveRange range, CancellationToken cancellationToken)
    {
        lock (_ledgers) return Task.FromResult(Ledger(topic, partition).Claim(leaseId, range) != ClaimOutcome.Revoked);
    }

    private ArchiveLedgerState Ledger(string topic, int partition)
    {
        var key = ArchiveLedgerKey.For(topic, partition);
        if (!_ledgers.TryGetValue(key, out var state)) _ledgers[key] = state = new ArchiveLedgerState();
        return state;
    }
}
