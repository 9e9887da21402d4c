using System.Collections.Concurrent;

namespace Analytics.Dashboard;

/// <summary>Serves the live page (HTML, script and style embedded in the assembly: no file system, no CDN).</summary>
internal static class DashboardPage
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    public static void MapDashboardPage(this WebApplication app)
    {
        app.MapGet("/", () => Asset("index.html", "text/html; charset=utf-8"));
        app.MapGet("/app.js", () => Asset("app.js", "text/javascript; charset=utf-8"));
        app.MapGet("/app.css", () => Asset("app.css", "text/css; charset=utf-8"));
    }

    private static IResult Asset(string name, string contentType)
    {
        var bytes = Cache.GetOrAdd(name, static n =>
        {
            using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream("Analytics.Dashboard.wwwroot." + n)
                ?? throw new InvalidOperationException($"Embedded asset {n} is missing from the build.");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        });
        return Results.Bytes(bytes, contentType);
    }
}
