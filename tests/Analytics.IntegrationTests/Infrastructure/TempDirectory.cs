namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Cleanup of the fixtures' temp directories.</summary>
internal static class TempDirectory
{
    /// <summary>Deletes a directory tree; a failure only leaves garbage in /tmp, so it never fails a test.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not delete {path}: {e.Message}");
        }
    }
}
