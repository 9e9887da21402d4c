namespace Analytics.ClickHouse;

/// <summary>
/// A write or query of <see cref="IAnalyticsSink"/> failed. <see cref="IsTransient"/> tells whether the same call
/// may succeed later (network, timeout, overload, too many parts) or never will as it is (schema, type or
/// serialization errors, authentication).
/// </summary>
public sealed class AnalyticsSinkException : Exception
{
    /// <summary>Creates an exception without details.</summary>
    public AnalyticsSinkException()
        : this("The analytics sink operation failed.")
    {
    }

    /// <summary>Creates a non-transient exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public AnalyticsSinkException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates a non-transient exception with a message and a cause.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public AnalyticsSinkException(string message, Exception? innerException)
        : this(message, table: "", isTransient: false, innerException)
    {
    }

    /// <summary>Creates an exception.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="table">The table concerned, or an empty string.</param>
    /// <param name="isTransient">Whether a retry of the same call may succeed.</param>
    /// <param name="innerException">The cause.</param>
    public AnalyticsSinkException(string message, string table, bool isTransient, Exception? innerException)
        : base(message, innerException)
    {
        Table = table;
        IsTransient = isTransient;
    }

    /// <summary>The table concerned, or an empty string.</summary>
    public string Table { get; }

    /// <summary>Whether retrying the same call (same rows, same token) may succeed.</summary>
    public bool IsTransient { get; }
}
