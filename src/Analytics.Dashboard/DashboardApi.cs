using System.Globalization;
using Analytics.Client;
using Microsoft.AspNetCore.Http.Features;

namespace Analytics.Dashboard;

/// <summary>The read-only JSON API (and the event stream the live page listens to).</summary>
internal static class DashboardApi
{
    private const string PagesPrefix = "/api/pages/";
    private const int MaxPageLength = 2048;

    /// <summary>Maps <c>/api/*</c>.</summary>
    public static void MapDashboardApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/top-pages", GetTopPagesAsync);
        api.MapGet("/pages/{**page}", GetPageAsync);
        api.MapGet("/overview", async (AnalyticsClient client, CancellationToken ct) =>
            await AnswerAsync(async () => Results.Ok(await client.GetOverviewAsync(ct))));
        api.MapGet("/sessions/{sessionId}", async (string sessionId, AnalyticsClient client, CancellationToken ct) =>
            await AnswerAsync(async () => await client.GetSessionAsync(sessionId, ct) is { } session
                ? Results.Ok(session)
                : NotFound($"Session '{sessionId}' has no live state.")));
        api.MapGet("/anomalies", GetAnomaliesAsync);
        api.MapGet("/stream", DashboardFeed.StreamAsync);
    }

    /// <summary><c>GET /api/top-pages?window=5m&amp;limit=10</c> → <c>[{"page","views","uniqueVisitors","approximate"}]</c>.</summary>
    private static async Task<IResult> GetTopPagesAsync(HttpRequest request, AnalyticsClient client, CancellationToken ct)
    {
        var windowValues = request.Query["window"];
        var window = TopPagesWindow.LastFiveMinutes;
        if (windowValues.Count > 0 && (windowValues.Count > 1 || !TryParseWindow(windowValues.ToString(), out window)))
            return BadRequest($"'window' must be one of 1m, 5m, 60m (or 1h); was '{windowValues}'.");
        if (!TryParseLimit(request, "limit", 10, AnalyticsClient.MaxTopPagesLimit, out var limit, out var error)) return BadRequest(error);
        return await AnswerAsync(async () =>
        {
            var top = await client.GetTopPagesAsync(window, limit, ct);
            return Results.Ok(top.Pages.Select(p => new TopPageRow(p.Page, p.Views, p.UniqueVisitors, p.IsApproximate)));
        });
    }

    /// <summary>
    /// <c>GET /api/pages/{page}</c> with the page path URL-encoded (<c>/api/pages/%2Fdocs</c>). The raw request
    /// target is decoded exactly once, so a page whose path itself contains <c>%</c> escapes survives.
    /// </summary>
    private static async Task<IResult> GetPageAsync(HttpContext context, AnalyticsClient client, CancellationToken ct)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0) raw = raw[..query];
        var start = raw.IndexOf(PagesPrefix, StringComparison.OrdinalIgnoreCase);
        var encoded = start < 0 ? "" : raw[(start + PagesPrefix.Length)..];
        string page;
        try
        {
            page = Uri.UnescapeDataString(encoded);
        }
        catch (UriFormatException)
        {
            return BadRequest("The page must be URL-encoded, e.g. /api/pages/%2Fdocs.");
        }
        if (page.Length == 0) return BadRequest("A page is required, URL-encoded, e.g. /api/pages/%2Fdocs.");
        if (page.Length > MaxPageLength) return BadRequest($"The page must be at most {MaxPageLength} characters.");
        return await AnswerAsync(async () =>
        {
            var stats = await client.GetPageStatsAsync(page, ct);
            return stats.TotalEvents == 0 && stats.Minutes.Count == 0
                ? NotFound($"Page '{page}' has no live data.")
                : Results.Ok(stats);
        });
    }

    /// <summary><c>GET /api/anomalies?limit=50</c>, newest first.</summary>
    private static async Task<IResult> GetAnomaliesAsync(HttpRequest request, AnalyticsClient client, CancellationToken ct)
    {
        if (!TryParseLimit(request, "limit", 50, AnalyticsClient.MaxAnomaliesLimit, out var limit, out var error)) return BadRequest(error);
        return await AnswerAsync(async () => Results.Ok(await client.GetRecentAnomaliesAsync(limit, ct)));
    }

    public static bool TryParseWindow(string text, out TopPagesWindow window)
    {
        window = text.ToUpperInvariant() switch
        {
            "1M" => TopPagesWindow.LastMinute,
            "5M" => TopPagesWindow.LastFiveMinutes,
            "60M" or "1H" => TopPagesWindow.LastHour,
            _ => 0,
        };
        return window != 0;
    }

    public static string WindowName(TopPagesWindow window) => window switch
    {
        TopPagesWindow.LastMinute => "1m",
        TopPagesWindow.LastFiveMinutes => "5m",
        _ => "60m",
    };

    private static bool TryParseLimit(HttpRequest request, string name, int defaultValue, int max, out int limit, out string error)
    {
        error = "";
        var values = request.Query[name];
        if (values.Count == 0)
        {
            limit = defaultValue;
            return true;
        }
        if (values.Count > 1 || !int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > max)
        {
            limit = 0;
            error = $"'{name}' must be a whole number from 1 to {max}; was '{values}'.";
            return false;
        }
        return true;
    }

    private static async Task<IResult> AnswerAsync(Func<Task<IResult>> answer)
    {
        try
        {
            return await answer();
        }
        catch (AnalyticsClientException ex)
        {
            return Results.Problem(title: "Analytics cluster unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult BadRequest(string detail) =>
        Results.Problem(title: "Bad request", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound(string detail) =>
        Results.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);
}

/// <summary>One row of <c>/api/top-pages</c>.</summary>
/// <param name="Page">The page path.</param>
/// <param name="Views">Page views in the window.</param>
/// <param name="UniqueVisitors">Distinct visitors in the window.</param>
/// <param name="Approximate">Whether either figure is an estimate (always for the 60-minute window).</param>
internal sealed record TopPageRow(string Page, long Views, long UniqueVisitors, bool Approximate);
