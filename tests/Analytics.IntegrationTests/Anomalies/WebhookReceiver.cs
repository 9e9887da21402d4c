using System.Net;
using System.Text.Json;

namespace Analytics.IntegrationTests.Anomalies;

/// <summary>
/// A tiny alerting endpoint on 127.0.0.1 (ephemeral port) for the webhook tests: it refuses the first request of
/// every notification with 503, so each delivery has to be retried, and accepts the later ones.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _accepted = new(StringComparer.Ordinal);
    private readonly List<string> _bodies = [];

    private WebhookReceiver(HttpListener listener, Uri url)
    {
        _listener = listener;
        Url = url;
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The URL to configure as a webhook (its path stands for a secret token).</summary>
    public Uri Url { get; }

    /// <summary>Starts listening on a free loopback port.</summary>
    public static WebhookReceiver Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = Infrastructure.LoopbackPorts.Free();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new WebhookReceiver(listener, new Uri($"http://127.0.0.1:{port}/hooks/s3cret-token"));
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close(); // the port was taken between picking and binding: pick another
            }
        }
    }

    /// <summary>Requests received per notification id (failed ones included).</summary>
    public IReadOnlyDictionary<string, int> Attempts
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_attempts);
            }
        }
    }

    /// <summary>Requests accepted (2xx) per notification id.</summary>
    public IReadOnlyDictionary<string, int> Accepted
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, int>(_accepted);
            }
        }
    }

    /// <summary>The bodies of the accepted requests.</summary>
    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (_gate)
            {
                return [.. _bodies];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var status = HttpStatusCode.BadRequest;
            if (context.Request.HttpMethod == "POST" && context.Request.Url?.AbsolutePath == Url.AbsolutePath && TryGetId(body, out var id))
            {
                lock (_gate)
                {
                    var attempt = _attempts[id] = _attempts.GetValueOrDefault(id) + 1;
                    status = attempt == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.NoContent;
                    if (status == HttpStatusCode.NoContent)
                    {
                        _accepted[id] = _accepted.GetValueOrDefault(id) + 1;
                        _bodies.Add(body);
                    }
                }
            }

            context.Response.StatusCode = (int)status;
            context.Response.Close();
        }
    }

    private static bool TryGetId(string body, out string id)
    {
        id = "";
        try
        {
            using var json = JsonDocument.Parse(body);
            id = json.RootElement.GetProperty("notification_id").GetString() ?? "";
            return id.Length > 0;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }
}
