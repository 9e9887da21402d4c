namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// Where the fixtures find the repository's tools: the root is found by walking up from the test assembly to
/// Analytics.sln, or taken from $ANALYTICS_REPO_ROOT (for test assemblies built outside the repository).
/// </summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);
    private static readonly string[] BuildConfigurations = ["Release", "Debug"];

    /// <summary>The repository root (the directory holding Analytics.sln).</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>
    /// The built Analytics.DevStack.dll (Release or Debug, whichever is newer). The tests do not build it
    /// themselves: parallel test classes would race on the same output directory.
    /// </summary>
    public static string DevStackDll
    {
        get
        {
            var candidates = BuildConfigurations
                .Select(config => Path.Combine(Root, "src", "Analytics.DevStack", "bin", config, "net10.0", "Analytics.DevStack.dll"))
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .ToList();
            return candidates.Count > 0
                ? candidates[0]
                : throw new MissingPrerequisiteException(
                    "Analytics.DevStack is not built. Run `dotnet build src/Analytics.DevStack -c Release` in the " +
                    "repository root (test.sh does this before running the tests).");
        }
    }

    /// <summary>libchdb.so: $CHDB_LIB if set, else .cache/chdb/libchdb.so.</summary>
    public static string ChdbLibrary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("CHDB_LIB") is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : Path.Combine(Root, ".cache", "chdb", "libchdb.so");
            return File.Exists(path)
                ? path
                : throw new MissingPrerequisiteException(
                    $"libchdb.so not found at {path}. Run infra/dev/fetch-chdb.sh in the repository root to fetch it " +
                    "(npm package @chdb/lib-linux-x64-gnu@26.7.3-stable.1).");
        }
    }

    /// <summary>The PostgreSQL 15 server binaries.</summary>
    public static string PostgresBin
    {
        get
        {
            const string bin = "/usr/lib/postgresql/15/bin";
            return File.Exists(Path.Combine(bin, "postgres"))
                ? bin
                : throw new MissingPrerequisiteException(
                    $"PostgreSQL 15 not found in {bin}. Install it with `apt-get update && apt-get install -y postgresql` (as root).");
        }
    }

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("ANALYTICS_REPO_ROOT") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return dir.FullName;
            }
        }

        throw new MissingPrerequisiteException($"Analytics.sln not found above {AppContext.BaseDirectory}: run the tests from inside the repository.");
    }
}
