namespace Analytics.Grains.Windows;

/// <summary>A stable 64-bit hash of a visitor id (FNV-1a over UTF-16 code units): the same on every silo and run.</summary>
public static class VisitorHash
{
    /// <summary>Hashes <paramref name="visitorId"/>.</summary>
    public static ulong Of(string visitorId)
    {
        const ulong offsetBasis = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offsetBasis;
        foreach (var c in visitorId)
        {
            hash = (hash ^ (byte)c) * prime;
            hash = (hash ^ (byte)(c >> 8)) * prime;
        }
        return hash;
    }
}
