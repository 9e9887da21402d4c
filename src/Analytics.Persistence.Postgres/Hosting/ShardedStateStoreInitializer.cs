using Analytics.Persistence.Postgres.Sharded;

namespace Analytics.Persistence.Postgres.Hosting;

/// <summary>
/// Creates the sharded store's tables while the silo starts, at the application services stage: before any grain
/// runs, so no shard is read or written before its tables exist, and a database that cannot be reached stops start-up.
/// </summary>
internal sealed class ShardedStateStoreInitializer(PostgresShardedStateStore store) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresShardedStateStore), ServiceLifecycleStage.ApplicationServices, store.InitializeAsync);
}
