namespace Analytics.Client;

/// <summary>
/// The cluster could not answer: no gateway reachable within the connect timeout, or a query failed or timed
/// out in the cluster. Transient in nature: retry later.
/// </summary>
public sealed class AnalyticsClientException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AnalyticsClientException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AnalyticsClientException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public AnalyticsClientException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
