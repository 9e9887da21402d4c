using Orleans.Serialization;

namespace Analytics.Grains.Persistence;

/// <summary>
/// Grain state that the grain mutates in place (<see cref="Live"/>) while storage only ever receives a deep copy
/// taken synchronously, inside the grain's turn, when a write starts. Storage providers serialize off that turn (the
/// ADO.NET provider serializes after awaiting its connection) and a reentrant grain keeps applying batches meanwhile:
/// handing them the live object could persist a torn mix of two batches (the applied offsets of one, the counts of
/// another, so a replay after a crash would count events twice or not at all), or fail with "Collection was modified".
/// </summary>
/// <typeparam name="T">The state type (with generated Orleans copiers).</typeparam>
internal sealed class SnapshotState<T>(IPersistentState<T> storage, DeepCopier<T> copier)
    where T : class
{
    /// <summary>The state the grain reads and mutates; the one loaded at activation.</summary>
    public T Live { get; } = storage.State;

    /// <summary>Writes a copy of <see cref="Live"/> as it is now; later changes are not part of this write.</summary>
    public Task WriteAsync()
    {
        storage.State = copier.Copy(Live);
        return storage.WriteStateAsync();
    }
}
