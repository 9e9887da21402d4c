using System.Globalization;
using System.Runtime.InteropServices;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// initdb and postgres refuse to run as root. When the tests run as root (as on our CI machines), the
/// cluster's directory is handed to the <c>postgres</c> user and the binaries run as that user via setpriv,
/// which execs (no intermediate process), so the PID we hold is the postmaster's.
/// </summary>
internal static class PostgresUser
{
    private const string UserName = "postgres";

    public static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>The command line that runs <paramref name="program"/> as the postgres user when we are root.</summary>
    public static (string FileName, List<string> Arguments) Command(string program, IEnumerable<string> arguments) =>
        RunningAsRoot
            ? ("setpriv", ["--reuid=" + UserName, "--regid=" + UserName, "--init-groups", "--", program, .. arguments])
            : (program, [.. arguments]);

    /// <summary>Makes <paramref name="directory"/> owned by the postgres user (only needed as root).</summary>
    public static void TakeOwnership(string directory)
    {
        if (!RunningAsRoot)
        {
            return;
        }

        var (uid, gid) = LookUp();
        if (Chown(directory, uid, gid) != 0)
        {
            throw new InvalidOperationException($"chown {directory} to {UserName} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Reads the user's uid and gid from /etc/passwd ("name:x:uid:gid:...").</summary>
    private static (int Uid, int Gid) LookUp()
    {
        var fields = File.ReadLines("/etc/passwd")
            .Select(line => line.Split(':'))
            .FirstOrDefault(f => f.Length > 3 && f[0] == UserName)
            ?? throw new MissingPrerequisiteException(
                $"There is no '{UserName}' user to run PostgreSQL as. Install PostgreSQL with `apt-get install -y postgresql` (it creates the user).");
        return (int.Parse(fields[2], CultureInfo.InvariantCulture), int.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    [DllImport("libc.so.6", EntryPoint = "chown", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Chown(string path, int uid, int gid);
}
