using Analytics.Grains.Archive;

namespace Analytics.UnitTests.Archive;

/// <summary>The ledger grains' logic (<see cref="ArchiveLedgerState"/>) without Orleans, shared by the archivers of a test.</summary>
internal sealed class InMemoryArchiveLedger : IArchiveLedger
{
    private readonly Dictionary<string, ArchiveLedgerState> _ledgers = new();

    public Task<ArchiveLease> AcquireAsync(string topic, int partition, CancellationToken cancellationToken)
    {
        lock (_ledgers) return Task.FromResult(Ledger(topic, partition).Grant(Guid.NewGuid()));
    }

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
