namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// A tool or file the integration tests need is not there. The message says how to get it, e.g.
/// "run infra/dev/fetch-chdb.sh".
/// </summary>
public sealed class MissingPrerequisiteException : Exception
{
    public MissingPrerequisiteException()
    {
    }

    public MissingPrerequisiteException(string message)
        : base(message)
    {
    }

    public MissingPrerequisiteException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
