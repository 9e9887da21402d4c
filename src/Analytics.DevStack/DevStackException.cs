namespace Analytics.DevStack;

/// <summary>An expected failure: its message is printed as is and the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class DevStackException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
