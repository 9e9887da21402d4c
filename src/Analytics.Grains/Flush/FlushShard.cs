namespace Analytics.Grains.Flush;

/// <summary>The flush grain a page belongs to: a stable hash, identical on every silo and run.</summary>
public static class FlushShard
{
    /// <summary>The shard of <paramref name="page"/> among <paramref name="shards"/>.</summary>
    public static long Of(string page, int shards) =>
        (long)(Windows.VisitorHash.Of(page) % (ulong)Math.Max(1, shards));
}
