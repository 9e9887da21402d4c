namespace Analytics.Grains.Sessions;

/// <summary>
/// Which session shard a session id belongs to. The hash is FNV-1a over the id's UTF-16 code units: stable across
/// processes and .NET versions (unlike <see cref="string.GetHashCode()"/>), so every silo routes an id to the same
/// shard, before and after a restart.
/// </summary>
public static class SessionShards
{
    private static readonly string[] Keys = Enumerable.Range(0, SessionOptions.MaxShards).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The shard index of <paramref name="sessionId"/> among <paramref name="shards"/>.</summary>
    public static int IndexOf(string sessionId, int shards)
    {
        var hash = 2166136261u;
        foreach (var c in sessionId)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return (int)(hash % (uint)shards);
    }

    /// <summary>The grain and stream key of <paramref name="sessionId"/>'s shard.</summary>
    public static string KeyOf(string sessionId, int shards) => Keys[IndexOf(sessionId, shards)];
}
