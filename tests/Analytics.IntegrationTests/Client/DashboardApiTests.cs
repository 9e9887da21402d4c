using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Analytics.Dashboard;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.IntegrationTests.Client;

/// <summary>The dashboard's JSON API on a real (ephemeral) port, against the live cluster.</summary>
[Collection(LiveQueryCollection.Name)]
public sealed class DashboardApiTests(LiveQueryFixture fixture) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = fixture.DashboardUri, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task TopPages_ReturnsPageViewsAndUniqueVisitors_InTheContractShape()
    {
        using var response = await _http.GetAsync("/api/top-pages?window=5m&limit=100");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var rows = json.RootElement.EnumerateArray().ToList();
        Assert.All(rows, r => Assert.Equal(["page", "views", "uniqueVisitors", "approximate"], r.EnumerateObject().Select(p => p.Name)));
        var ours = rows.Where(r => r.GetProperty("page").GetString()!.StartsWith(LiveQueryFixture.Prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(fixture.Traffic.Ranking, ours.Select(r => r.GetProperty("page").GetString()));
        Assert.All(ours, r =>
        {
            var expected = fixture.Traffic.ByPage[r.GetProperty("page").GetString()!];
            Assert.Equal(expected.Views, r.GetProperty("views").GetInt64());
            Assert.Equal(expected.Visitors, r.GetProperty("uniqueVisitors").GetInt64());
            Assert.False(r.GetProperty("approximate").GetBoolean());
        });

        using var limited = JsonDocument.Parse(await _http.GetStringAsync("/api/top-pages?limit=1"));
        Assert.Single(limited.RootElement.EnumerateArray());
        using var hour = JsonDocument.Parse(await _http.GetStringAsync("/api/top-pages?window=60m"));
        Assert.All(hour.RootElement.EnumerateArray(), r => Assert.True(r.GetProperty("approximate").GetBoolean()));
    }

    [Theory]
    [InlineData("/api/top-pages?window=7m", "window")]
    [InlineData("/api/top-pages?window=", "window")]
    [InlineData("/api/top-pages?limit=0", "limit")]
    [InlineData("/api/top-pages?limit=101", "limit")]
    [InlineData("/api/top-pages?limit=ten", "limit")]
    [InlineData("/api/top-pages?limit=1&limit=2", "limit")]
    [InlineData("/api/anomalies?limit=0", "limit")]
    [InlineData("/api/anomalies?limit=-3", "limit")]
    [InlineData("/api/anomalies?limit=501", "limit")]
    [InlineData("/api/pages/", "page")]
    public async Task BadParameters_Get400_WithAMessageNamingTheParameter(string url, string parameter)
    {
        using var response = await _http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(parameter, json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_IsAddressedUrlEncoded_AndReturnsItsStatsAndMinuteSeries()
    {
        foreach (var (page, expected) in fixture.Traffic.ByPage)
        {
            using var json = JsonDocument.Parse(await _http.GetStringAsync("/api/pages/" + Uri.EscapeDataString(page)));
            var root = json.RootElement;
            Assert.Equal(page, root.GetProperty("page").GetString());
            Assert.Equal(expected.Views, root.GetProperty("lastFiveMinutes").GetProperty("views").GetInt64());
            Assert.Equal(expected.Visitors, root.GetProperty("lastFiveMinutes").GetProperty("uniqueVisitors").GetInt64());
            Assert.Contains(root.GetProperty("minutes").EnumerateArray(), m => m.GetProperty("views").GetInt64() == expected.Views);
        }

        using var unknown = await _http.GetAsync("/api/pages/" + Uri.EscapeDataString("/not/a/page"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Overview_AndAnomalies_Answer()
    {
        using var overview = JsonDocument.Parse(await _http.GetStringAsync("/api/overview"));
        foreach (var field in new[] { "eventsPerSecond", "eventsPerSecondSeries", "activeSessions", "lateEvents", "deadLetteredEvents", "silos" })
            Assert.True(overview.RootElement.TryGetProperty(field, out _), $"overview lacks {field}");
        Assert.Equal(LiveQueryFixture.LateEvents, overview.RootElement.GetProperty("lateEvents").GetInt64());

        var notification = LiveQueryClientTests.Notification($"api-{Guid.NewGuid():N}");
        await fixture.PublishAnomalyAsync(notification);
        using var anomalies = JsonDocument.Parse(await _http.GetStringAsync("/api/anomalies?limit=50"));
        var first = anomalies.RootElement.EnumerateArray().First(a => a.GetProperty("incidentId").GetString() == notification.IncidentId);
        Assert.Equal("spike", first.GetProperty("direction").GetString());
        Assert.Equal("/lq/a", first.GetProperty("page").GetString());
    }

    [Fact]
    public async Task TheApi_IsReadOnly()
    {
        using var post = await _http.PostAsync("/api/top-pages", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var delete = await _http.DeleteAsync("/api/anomalies");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
    }

    [Fact]
    public async Task WithAnAccessToken_RequestsWithoutItGet401_AndHeaderOrQueryTokensPass()
    {
        const string token = "it-secret-token-0123456789";
        await using var app = DashboardApp.Build(["--urls=http://127.0.0.1:0", $"--Dashboard:AccessToken={token}", "--Logging:LogLevel:Default=Warning", .. fixture.ClientArguments()]);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/overview")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/overview?access_token=wrong-token-wrong-token")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/overview?access_token={token}")).StatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/overview");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(bearer)).StatusCode);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/api/top-pages");
        header.Headers.Add("X-Access-Token", token);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(header)).StatusCode);
        await app.StopAsync();
    }

    [Fact]
    public async Task BindingBeyondLoopback_WithoutAToken_RefusesToStart()
    {
        await using var app = DashboardApp.Build(["--urls=http://0.0.0.0:0", "--Logging:LogLevel:Default=None", .. fixture.ClientArguments()]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Dashboard:AccessToken is required", error.Message, StringComparison.Ordinal);
        Assert.True(DashboardOptionsValidator.IsLoopback("http://localhost:5080"));
        Assert.True(DashboardOptionsValidator.IsLoopback("http://[::1]:5080"));
        Assert.False(DashboardOptionsValidator.IsLoopback("http://*:5080"));
        Assert.False(DashboardOptionsValidator.IsLoopback("http://10.1.2.3:5080"));
    }

    [Fact]
    public async Task ThePage_IsServedWithItsAssets_AndTheEventStreamPushesUpdates()
    {
        var html = await _http.GetStringAsync("/");
        Assert.Contains("<script src=\"app.js\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("EventSource", await _http.GetStringAsync("/app.js"), StringComparison.Ordinal);
        using var css = await _http.GetAsync("/app.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stream = await _http.GetAsync("/api/stream", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cts.Token));
        var updates = 0;
        while (updates < 2 && await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line == "event: update") updates++;
        }
        Assert.Equal(2, updates);
    }

    public void Dispose() => _http.Dispose();
}
