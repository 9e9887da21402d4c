using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Dashboard;

/// <summary>
/// When <see cref="DashboardOptions.AccessToken"/> is set, answers 401 to every request that does not carry it
/// (<c>Authorization: Bearer</c>, <c>X-Access-Token</c> or <c>?access_token=</c>, the last for the page and its
/// event stream, which browsers open without custom headers). Compared in constant time.
/// </summary>
internal sealed class AccessTokenMiddleware(RequestDelegate next, IOptions<DashboardOptions> options)
{
    private readonly byte[]? _token = options.Value.AccessToken.Length > 0 ? Encoding.UTF8.GetBytes(options.Value.AccessToken) : null;

    public Task InvokeAsync(HttpContext context)
    {
        // The liveness probe reveals nothing and must work for orchestrators without the secret.
        if (_token is null || context.Request.Path == "/healthz" || Presented(context) is { } presented && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _token))
            return next(context);
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(
            title: "Unauthorized",
            detail: "This dashboard requires an access token: send 'Authorization: Bearer <token>' or 'X-Access-Token: <token>', or add '?access_token=<token>' to the URL.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
    }

    private static string? Presented(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return authorization["Bearer ".Length..].Trim();
        if (context.Request.Headers.TryGetValue("X-Access-Token", out var header) && header.Count > 0) return header.ToString();
        return context.Request.Query.TryGetValue("access_token", out var query) && query.Count > 0 ? query.ToString() : null;
    }
}
