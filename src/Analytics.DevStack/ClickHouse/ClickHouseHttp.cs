using System.Net.Http.Headers;

namespace Analytics.DevStack.ClickHouse;

/// <summary>
/// One-shot HTTP calls to our own server. Each call uses a fresh connection that is closed right after:
/// chDB ends the whole process about 5 s after its listeners stop if any client connection is still open,
/// so this process must never hold an idle keep-alive connection to itself.
/// </summary>
internal static class ClickHouseHttp
{
    public static async Task<bool> PingAsync(int httpPort, CancellationToken cancellation)
    {
        try
        {
            using var client = NewClient(TimeSpan.FromSeconds(2));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{httpPort}/ping"));
            request.Headers.ConnectionClose = true;
            using var response = await client.SendAsync(request, cancellation);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return false; // the 2 s request timeout
        }
    }

    public static async Task ExecuteAsync(int httpPort, string sql, TimeSpan timeout)
    {
        using var client = NewClient(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://127.0.0.1:{httpPort}/"))
        {
            Content = new StringContent(sql, new MediaTypeHeaderValue("text/plain")),
        };
        request.Headers.ConnectionClose = true;
        using var response = await client.SendAsync(request);
        if (!response.IsSuccessStatusCode)
        {
            throw new DevStackException($"ClickHouse answered {(int)response.StatusCode} to '{sql}': {await response.Content.ReadAsStringAsync()}");
        }
    }

    private static HttpClient NewClient(TimeSpan timeout) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero }) { Timeout = timeout };
}
