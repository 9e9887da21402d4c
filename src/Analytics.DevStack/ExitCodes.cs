namespace Analytics.DevStack;

/// <summary>Process exit codes, so scripts and fixtures can tell "port taken" from "lib missing".</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int PrerequisiteMissing = 3;
    public const int PortInUse = 4;
}
