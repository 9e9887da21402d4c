using System.Text.Json.Serialization;
using Analytics.Client;
using Microsoft.Extensions.Options;

namespace Analytics.Dashboard;

/// <summary>Builds the dashboard web app; the host program and the tests use the same path.</summary>
public static class DashboardApp
{
    /// <summary>The URL the dashboard listens on unless <c>Urls</c> says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Builds the app from <paramref name="args"/> and the standard configuration sources.</summary>
    /// <param name="args">Command-line arguments (e.g. <c>--urls</c>, <c>--AnalyticsClient:GatewayPorts:0=30000</c>).</param>
    /// <param name="configure">Optional changes before the app is built (tests add configuration here).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        var urls = (builder.Configuration["urls"] is { Length: > 0 } configured ? configured : DefaultUrl)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.WebHost.UseUrls(urls);

        builder.Services.AddOptions<DashboardOptions>()
            .Bind(builder.Configuration.GetSection(DashboardOptions.SectionName))
            .PostConfigure(o => o.Urls = urls)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DashboardOptions>, DashboardOptionsValidator>();
        builder.Services.AddOptions<AnalyticsClientOptions>()
            .Bind(builder.Configuration.GetSection(AnalyticsClientOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AnalyticsClientOptions>, AnalyticsClientOptionsValidator>();
        builder.Services.AddSingleton(sp => new AnalyticsClient(
            sp.GetRequiredService<IOptions<AnalyticsClientOptions>>().Value, sp.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddSingleton<DashboardFeed>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DashboardFeed>());
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

        var app = builder.Build();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<AccessTokenMiddleware>();
        app.MapGet("/healthz", (AnalyticsClient client) => Results.Ok(new { status = "ok", clusterConnected = client.IsConnected }));
        app.MapDashboardPage();
        app.MapDashboardApi();
        return app;
    }
}
