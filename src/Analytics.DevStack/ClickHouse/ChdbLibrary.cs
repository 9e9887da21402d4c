namespace Analytics.DevStack.ClickHouse;

/// <summary>Finds libchdb.so: --lib, else $CHDB_LIB, else .cache/chdb/libchdb.so in the repository we were built in.</summary>
internal static class ChdbLibrary
{
    private const string HowToGet = "run infra/dev/fetch-chdb.sh in the repository root (it puts libchdb.so in .cache/chdb/)";

    public static string Locate(string? explicitPath)
    {
        var path = explicitPath ?? Environment.GetEnvironmentVariable("CHDB_LIB") ?? DefaultPath();
        if (path is null)
        {
            throw new DevStackException($"libchdb.so not found: pass --lib PATH, set CHDB_LIB, or {HowToGet}", ExitCodes.PrerequisiteMissing);
        }

        if (!File.Exists(path))
        {
            throw new DevStackException($"libchdb.so not found at {path}: {HowToGet}", ExitCodes.PrerequisiteMissing);
        }

        return Path.GetFullPath(path);
    }

    private static string? DefaultPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return Path.Combine(dir.FullName, ".cache", "chdb", "libchdb.so");
            }
        }

        return null;
    }
}
