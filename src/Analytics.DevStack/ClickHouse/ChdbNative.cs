using System.Reflection;
using System.Runtime.InteropServices;

namespace Analytics.DevStack.ClickHouse;

/// <summary>The libchdb C functions used to run ClickHouse's server listeners inside this process.</summary>
internal static partial class ChdbNative
{
    private const string LibraryName = "chdb";
    private static IntPtr handle;

    /// <summary>Loads libchdb.so from <paramref name="path"/> and routes our imports to it.</summary>
    public static void Load(string path)
    {
        handle = NativeLibrary.Load(path);
        NativeLibrary.SetDllImportResolver(
            Assembly.GetExecutingAssembly(),
            (name, _, _) => name == LibraryName ? handle : IntPtr.Zero);
    }

    /// <summary>
    /// With 0, chDB installs no crash handlers of its own, so the .NET runtime keeps handling SIGSEGV (null
    /// references), SIGTERM and SIGINT. Checked with libchdb 26.7.3: the runtime's handlers are unchanged
    /// before and after this call and while the server runs.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "chdb_set_signal_handlers_enabled")]
    public static partial void SetSignalHandlersEnabled(int enabled);

    /// <summary>Runs clickhouse-local with a command line; blocks until its queries finish.</summary>
    [LibraryImport(LibraryName, EntryPoint = "chdb_query_cmdline")]
    public static partial IntPtr QueryCommandLine(int argc, IntPtr[] argv);

    /// <summary>The error text of a result, or null.</summary>
    [LibraryImport(LibraryName, EntryPoint = "chdb_result_error")]
    public static partial IntPtr ResultError(IntPtr result);

    [LibraryImport(LibraryName, EntryPoint = "chdb_destroy_query_result")]
    public static partial void DestroyQueryResult(IntPtr result);
}
