namespace Analytics.Contracts;

/// <summary>The Orleans stream namespaces events are delivered on, and the provider name.</summary>
public static class StreamNamespaces
{
    /// <summary>The stream provider name used by silos and clients.</summary>
    public const string ProviderName = "analytics";

    /// <summary>Events keyed by page path, consumed by page grains.</summary>
    public const string Page = "page";

    /// <summary>Events keyed by session id, consumed by session grains.</summary>
    public const string Session = "session";
}
