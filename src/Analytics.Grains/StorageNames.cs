namespace Analytics.Grains;

/// <summary>Names of the grain storage providers the grains use.</summary>
public static class StorageNames
{
    /// <summary>Page window state.</summary>
    public const string Pages = "pages";

    /// <summary>Flush grains' pending work.</summary>
    public const string Flush = "flush";

    /// <summary>Archive ledgers: partition leases and claimed offset ranges (see <see cref="Archive.IArchiveLedgerGrain"/>).</summary>
    public const string Archive = "archive";
}
