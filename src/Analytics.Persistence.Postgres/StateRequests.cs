namespace Analytics.Persistence.Postgres;

/// <summary>Identifies one grain's state row (within the storage's service id).</summary>
/// <param name="GrainType">The grain id's type part.</param>
/// <param name="GrainKey">The grain id's key part.</param>
/// <param name="StateName">The state name (<c>[PersistentState("name", ...)]</c>).</param>
internal readonly record struct StateKey(string GrainType, string GrainKey, string StateName);

/// <summary>One grain's write: its new payload and the version it expects to replace (null: the row must not exist).</summary>
internal sealed record StateWrite(StateKey Key, int? ExpectedVersion, byte[] Payload);

/// <summary>A stored state: its version (the grain's ETag) and payload.</summary>
internal sealed record StoredState(int Version, byte[] Payload);
