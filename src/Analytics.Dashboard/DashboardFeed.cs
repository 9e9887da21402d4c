using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Analytics.Client;
using Microsoft.Extensions.Options;

namespace Analytics.Dashboard;

/// <summary>
/// One poller for all viewers: every <see cref="DashboardOptions.UpdateInterval"/> it reads the rankings, the
/// overview and the sparklines of the ranked pages through the SDK once, and pushes the result to every open
/// event stream; it also holds one live anomaly subscription and forwards each notification at once. So the
/// cluster sees the same few calls per second whether one browser is open or a hundred.
/// </summary>
internal sealed partial class DashboardFeed(
    AnalyticsClient client,
    IOptions<DashboardOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DashboardFeed> logger) : BackgroundService
{
    private const int SparklineMinutes = 10;
    private const int KeptAnomalies = 50;
    private const int SubscriberBuffer = 16;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly ConcurrentDictionary<Guid, Channel<string>> _subscribers = new();
    private readonly Lock _anomalyGate = new();
    private readonly List<Anomaly> _anomalies = [];
    private readonly CancellationToken _stopping = lifetime.ApplicationStopping;
    private volatile string? _latest;
    private bool _failing;

    /// <summary><c>GET /api/stream</c>: server-sent events, <c>update</c> every interval and <c>anomaly</c> as they happen.</summary>
    public static async Task StreamAsync(HttpContext context, DashboardFeed feed, CancellationToken requestAborted)
    {
        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache, no-transform";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, feed._stopping);
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(SubscriberBuffer) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        feed._subscribers[id] = channel;
        try
        {
            await context.Response.WriteAsync("retry: 2000\n\n", stop.Token);
            if (feed._latest is { } latest) channel.Writer.TryWrite(latest);
            await foreach (var message in channel.Reader.ReadAllAsync(stop.Token))
            {
                await context.Response.WriteAsync(message, stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The browser went away, or the app is stopping.
        }
        finally
        {
            feed._subscribers.TryRemove(id, out _);
        }
    }

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(UpdateLoopAsync(stoppingToken), AnomalyLoopAsync(stoppingToken));

    private async Task UpdateLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UpdateInterval);
        do
        {
            var update = await ReadUpdateAsync(stoppingToken);
            _latest = Message("update", update);
            Broadcast(_latest);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private async Task<DashboardUpdate> ReadUpdateAsync(CancellationToken ct)
    {
        var limit = options.Value.TopPages;
        try
        {
            var windows = new[] { TopPagesWindow.LastMinute, TopPagesWindow.LastFiveMinutes, TopPagesWindow.LastHour };
            var rankings = await Task.WhenAll(windows.Select(w => client.GetTopPagesAsync(w, limit, ct)));
            var overview = await client.GetOverviewAsync(ct);
            var pages = rankings.SelectMany(r => r.Pages.Select(p => p.Page)).Distinct(StringComparer.Ordinal).ToList();
            var sparklines = await Task.WhenAll(pages.Select(p => SparklineAsync(p, overview.AsOf, ct)));
            var anomalies = await RecentAnomaliesAsync(ct);
            if (_failing) LogUpdateRecovered();
            _failing = false;
            return new DashboardUpdate
            {
                AsOf = overview.AsOf,
                Connected = true,
                TopPages = rankings.ToDictionary(r => DashboardApi.WindowName(r.Window), r => r.Pages.Select(p => new TopPageRow(p.Page, p.Views, p.UniqueVisitors, p.IsApproximate)).ToList()),
                Overview = overview,
                Sparklines = pages.Zip(sparklines).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal),
                Anomalies = anomalies,
            };
        }
        catch (AnalyticsClientException ex)
        {
            // Once per outage, not every interval.
            if (!_failing) LogUpdateFailed(ex.Message);
            _failing = true;
            return new DashboardUpdate { AsOf = DateTime.UtcNow, Connected = false, Error = ex.Message, Anomalies = Anomalies() };
        }
    }

    /// <summary>Views per minute of the last <see cref="SparklineMinutes"/> minutes, oldest first (0 where unknown).</summary>
    private async Task<long[]> SparklineAsync(string page, DateTime asOf, CancellationToken ct)
    {
        var stats = await client.GetPageStatsAsync(page, ct);
        var current = new DateTime(asOf.Ticks - asOf.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
        var views = stats.Minutes.ToDictionary(m => m.Minute, m => m.Views);
        return Enumerable.Range(0, SparklineMinutes).Select(i => views.GetValueOrDefault(current.AddMinutes(i + 1 - SparklineMinutes))).ToArray();
    }

    private async Task<IReadOnlyList<Anomaly>> RecentAnomaliesAsync(CancellationToken ct)
    {
        try
        {
            Remember(await client.GetRecentAnomaliesAsync(20, ct));
        }
        catch (AnalyticsClientException ex)
        {
            // The feed grain may be unavailable while the rest answers; live notifications still arrive.
            LogAnomalyReadFailed(ex.Message);
        }
        return Anomalies();
    }

    private async Task AnomalyLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var anomaly in client.SubscribeToAnomaliesAsync(stoppingToken))
                {
                    Remember([anomaly]);
                    Broadcast(Message("anomaly", anomaly));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (AnalyticsClientException ex)
            {
                LogSubscriptionFailed(ex.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Remember(IEnumerable<Anomaly> anomalies)
    {
        lock (_anomalyGate)
        {
            foreach (var anomaly in anomalies)
            {
                if (_anomalies.Exists(a => a.IncidentId == anomaly.IncidentId && a.Kind == anomaly.Kind)) continue;
                _anomalies.Add(anomaly);
            }
            _anomalies.Sort((a, b) => b.DetectedAt.CompareTo(a.DetectedAt));
            if (_anomalies.Count > KeptAnomalies) _anomalies.RemoveRange(KeptAnomalies, _anomalies.Count - KeptAnomalies);
        }
    }

    private List<Anomaly> Anomalies()
    {
        lock (_anomalyGate)
        {
            return [.. _anomalies];
        }
    }

    private void Broadcast(string message)
    {
        foreach (var subscriber in _subscribers.Values) subscriber.Writer.TryWrite(message);
    }

    private static string Message<T>(string name, T data) =>
        new StringBuilder().Append("event: ").Append(name).Append("\ndata: ").Append(JsonSerializer.Serialize(data, Json)).Append("\n\n").ToString();

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dashboard updates failed (the page shows the cluster as unavailable until it answers again): {Reason}")]
    private partial void LogUpdateFailed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard updates work again.")]
    private partial void LogUpdateRecovered();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading recent anomalies failed: {Reason}")]
    private partial void LogAnomalyReadFailed(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The live anomaly subscription failed: {Reason}; retrying.")]
    private partial void LogSubscriptionFailed(string reason);
}

/// <summary>What the live page receives every interval.</summary>
internal sealed record DashboardUpdate
{
    public DateTime AsOf { get; init; }

    public bool Connected { get; init; }

    public string? Error { get; init; }

    public Dictionary<string, List<TopPageRow>> TopPages { get; init; } = [];

    public SiteOverview? Overview { get; init; }

    public Dictionary<string, long[]> Sparklines { get; init; } = [];

    public IReadOnlyList<Anomaly> Anomalies { get; init; } = [];
}
