namespace Analytics.Grains.Archive;

/// <summary>The key of a partition's <see cref="IArchiveLedgerGrain"/>.</summary>
public static class ArchiveLedgerKey
{
    /// <summary>Returns <c>{topic}/{partition}</c>.</summary>
    public static string For(string topic, int partition) => $"{topic}/{partition}";
}
