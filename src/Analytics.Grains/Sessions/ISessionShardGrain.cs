using Analytics.Contracts.Sessions;

namespace Analytics.Grains.Sessions;

/// <summary>
/// One session shard (keyed by its index, see <see cref="SessionShards"/>): consumes the <c>session</c> stream of
/// the same key, which carries the events of every session id that hashes to it.
/// </summary>
public interface ISessionShardGrain : IGrainWithStringKey
{
    /// <summary>Returns the live state of <paramref name="sessionId"/>, or null if the shard knows no such session.</summary>
    Task<SessionLiveState?> GetSessionAsync(string sessionId);
}
