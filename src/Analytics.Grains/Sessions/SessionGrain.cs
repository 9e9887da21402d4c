using Analytics.Contracts.Sessions;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The public per-session entry point (<see cref="ISessionGrain"/>, keyed by session id): asks the session's shard,
/// which holds the state. Stateless, so it is activated locally wherever it is called and costs nothing per event.
/// </summary>
[StatelessWorker]
public sealed class SessionGrain(IOptions<SessionOptions> options) : Grain, ISessionGrain
{
    private readonly int _shards = options.Value.Shards;

    /// <inheritdoc />
    public Task<SessionLiveState?> GetAsync()
    {
        var id = this.GetPrimaryKeyString();
        return GrainFactory.GetGrain<ISessionShardGrain>(SessionShards.KeyOf(id, _shards)).GetSessionAsync(id);
    }
}
