using Orleans.Storage;

namespace Analytics.Persistence.Postgres;

/// <summary>
/// Options of one batched PostgreSQL grain storage (bound per storage name; the analytics silo binds section
/// <c>StateStorage</c> and takes the connection string from <c>ConnectionStrings:Postgres</c>).
/// </summary>
public sealed class BatchedGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The Npgsql connection string. Required; never logged.</summary>
    [Redact]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The table holding the states (created at start-up if missing; several storages may share it). Lower-case
    /// letters, digits and underscores. Defaults to <c>orleans_batched_state</c>.
    /// </summary>
    public string TableName { get; set; } = "orleans_batched_state";

    /// <summary>Most rows sent in one round trip. Defaults to 256.</summary>
    public int MaxBatchSize { get; set; } = 256;

    /// <summary>
    /// How long a batch waits for more requests after its first one before it is sent (unless it is full).
    /// Longer means fuller batches and fewer round trips, at that much added latency per write. Defaults to 5 ms.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Batches of one kind (reads or writes) in flight at once, each on its own pooled connection; requests that
    /// arrive while they are all in flight join the next batches. Defaults to 2.
    /// </summary>
    public int MaxConcurrentBatches { get; set; } = 2;

    /// <summary>The silo lifecycle stage at which the table is created and batching starts. Defaults to application services.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    /// <summary>The grain state serializer. Defaults to the silo's configured <see cref="IGrainStorageSerializer"/>.</summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
