using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Analytics.Contracts.Anomalies;
using Analytics.Contracts.Queries;
using Analytics.Contracts.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Streams;

namespace Analytics.Client;

/// <summary>
/// Live queries against the analytics cluster, as an Orleans client: top pages, one page's stats, the site
/// overview, sessions, recent anomalies and a live anomaly feed. Thread-safe; create one per process and
/// dispose it at shutdown. It connects on first use (or on <see cref="ConnectAsync"/>); after a failed connect
/// the next call tries again.
/// </summary>
/// <example>
/// <code>
/// await using var client = new AnalyticsClient(new AnalyticsClientOptions { GatewayPorts = [30000] });
/// var top = await client.GetTopPagesAsync(TopPagesWindow.LastFiveMinutes, limit: 10, cancellationToken);
/// foreach (var page in top.Pages) Console.WriteLine($"{page.Page}: {page.Views} views, {page.UniqueVisitors} visitors");
/// await foreach (var anomaly in client.SubscribeToAnomaliesAsync(cancellationToken)) Console.WriteLine(anomaly);
/// </code>
/// </example>
public sealed class AnalyticsClient : IAsyncDisposable
{
    /// <summary>The largest <c>limit</c> the ranking queries accept.</summary>
    public const int MaxTopPagesLimit = 100;

    /// <summary>The largest <c>limit</c> <see cref="GetRecentAnomaliesAsync"/> accepts.</summary>
    public const int MaxAnomaliesLimit = 500;

    private const int SubscriptionBuffer = 1024;

    private readonly AnalyticsClientOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private IHost? _host;
    private IClusterClient? _cluster;
    private bool _disposed;

    /// <summary>Creates a client; nothing is connected until the first call.</summary>
    /// <param name="options">Where the cluster is; validated here.</param>
    /// <param name="loggerFactory">Where the Orleans client logs; none when null.</param>
    /// <exception cref="OptionsValidationException">An option is invalid (the message names it).</exception>
    public AnalyticsClient(AnalyticsClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var result = new AnalyticsClientOptionsValidator().Validate(null, options);
        if (result.Failed) throw new OptionsValidationException(AnalyticsClientOptions.SectionName, typeof(AnalyticsClientOptions), result.Failures);
        _options = options;
        _loggerFactory = loggerFactory;
    }

    /// <summary>Whether the client is connected to the cluster.</summary>
    public bool IsConnected => Volatile.Read(ref _cluster) is not null;

    /// <summary>
    /// Connects to the cluster, retrying for up to <see cref="AnalyticsClientOptions.ConnectTimeout"/>.
    /// Idempotent; queries call it themselves.
    /// </summary>
    /// <exception cref="AnalyticsClientException">No gateway could be reached in time.</exception>
    public async Task ConnectAsync(CancellationToken cancellationToken = default) => await ClusterAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The most viewed pages over <paramref name="window"/>, refreshed by the cluster about once a second.</summary>
    /// <param name="window">The window.</param>
    /// <param name="limit">How many pages, 1 to <see cref="MaxTopPagesLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="window"/> or <paramref name="limit"/> is out of range.</exception>
    /// <exception cref="AnalyticsClientException">The cluster could not answer.</exception>
    public async Task<TopPages> GetTopPagesAsync(TopPagesWindow window, int limit = 10, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(window)) throw new ArgumentOutOfRangeException(nameof(window), window, "Unknown window.");
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxTopPagesLimit);
        var snapshot = await QueryAsync(c => c.GetGrain<ITrafficQueryGrain>(0).GetSnapshotAsync(), cancellationToken).ConfigureAwait(false);
        return Mapping.ToTopPages(snapshot, window, limit);
    }

    /// <summary>One page's live figures: the last 1 and 5 minutes and its per-minute series.</summary>
    /// <param name="page">The page path, e.g. <c>/docs</c>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="page"/> is empty.</exception>
    /// <exception cref="AnalyticsClientException">The cluster could not answer.</exception>
    public async Task<PageStats> GetPageStatsAsync(string page, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(page);
        var traffic = await QueryAsync(c => c.GetGrain<ITrafficQueryGrain>(0).GetPageAsync(page), cancellationToken).ConfigureAwait(false);
        return Mapping.ToPageStats(traffic);
    }

    /// <summary>Site-wide figures: events per second (now and per second), active sessions, late and dead-lettered counts.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="AnalyticsClientException">The cluster could not answer.</exception>
    public async Task<SiteOverview> GetOverviewAsync(CancellationToken cancellationToken = default)
    {
        var snapshot = await QueryAsync(c => c.GetGrain<ITrafficQueryGrain>(0).GetSnapshotAsync(), cancellationToken).ConfigureAwait(false);
        return Mapping.ToOverview(snapshot);
    }

    /// <summary>One session's live state, or null if the session has seen no event.</summary>
    /// <param name="sessionId">The session id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentException"><paramref name="sessionId"/> is empty.</exception>
    /// <exception cref="AnalyticsClientException">The cluster could not answer.</exception>
    public async Task<SessionInfo?> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sessionId);
        var session = await QueryAsync(c => c.GetGrain<ISessionGrain>(sessionId).GetAsync(), cancellationToken).ConfigureAwait(false);
        return session is null ? null : Mapping.ToSession(session);
    }

    /// <summary>The most recent anomaly notifications, newest first.</summary>
    /// <param name="limit">How many, 1 to <see cref="MaxAnomaliesLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is out of range.</exception>
    /// <exception cref="AnalyticsClientException">The cluster could not answer.</exception>
    public async Task<IReadOnlyList<Anomaly>> GetRecentAnomaliesAsync(int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxAnomaliesLimit);
        var recent = await QueryAsync(c => c.GetGrain<IAnomalyFeedGrain>(0).GetRecentAsync(limit), cancellationToken).ConfigureAwait(false);
        return recent.Select(Mapping.ToAnomaly).ToList();
    }

    /// <summary>
    /// Anomaly notifications as they are published, from the moment of subscription, until
    /// <paramref name="cancellationToken"/> is cancelled (then the enumeration ends with an
    /// <see cref="OperationCanceledException"/>). A slow reader loses the oldest of more than 1,024 pending
    /// notifications rather than holding the cluster back.
    /// </summary>
    /// <param name="cancellationToken">Ends the subscription.</param>
    /// <exception cref="AnalyticsClientException">The cluster could not be reached to subscribe.</exception>
    public async IAsyncEnumerable<Anomaly> SubscribeToAnomaliesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var cluster = await ClusterAsync(cancellationToken).ConfigureAwait(false);
        var channel = Channel.CreateBounded<Anomaly>(new BoundedChannelOptions(SubscriptionBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        var stream = cluster.GetStreamProvider(AnomalyStreams.ProviderName)
            .GetStream<AnomalyNotification>(StreamId.Create(AnomalyStreams.Namespace, AnomalyStreams.Key));
        StreamSubscriptionHandle<AnomalyNotification> handle;
        try
        {
            handle = await stream.SubscribeAsync((notification, _) =>
            {
                channel.Writer.TryWrite(Mapping.ToAnomaly(notification));
                return Task.CompletedTask;
            }).WaitAsync(_options.QueryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw new AnalyticsClientException("Subscribing to the anomaly stream failed: " + ex.Message, ex);
        }

        try
        {
            await foreach (var anomaly in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return anomaly;
            }
        }
        finally
        {
            try
            {
                await handle.UnsubscribeAsync().WaitAsync(_options.QueryTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OrleansException or TimeoutException or InvalidOperationException or ObjectDisposedException)
            {
                // The cluster forgets the subscription of a client that went away.
            }
        }
    }

    /// <summary>Disconnects from the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _connectGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_host is { } host)
            {
                _cluster = null;
                _host = null;
                await StopQuietlyAsync(host).ConfigureAwait(false);
            }
        }
        finally
        {
            _connectGate.Release();
            _connectGate.Dispose();
        }
    }

    private async Task<T> QueryAsync<T>(Func<IClusterClient, Task<T>> query, CancellationToken cancellationToken)
    {
        var cluster = await ClusterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await query(cluster).WaitAsync(_options.QueryTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Timeouts, lost connections and failures inside the cluster alike: the caller can only retry later.
            throw new AnalyticsClientException("The analytics cluster could not answer: " + ex.Message, ex);
        }
    }

    private async Task<IClusterClient> ClusterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Volatile.Read(ref _cluster) is { } connected) return connected;
        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_cluster is { } raced) return raced;
            Exception? lastError = null;
            var host = BuildHost(error => lastError = error);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.ConnectTimeout);
            try
            {
                await host.StartAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                await StopQuietlyAsync(host).ConfigureAwait(false);
                var cause = lastError ?? ex;
                throw new AnalyticsClientException($"Could not connect to the analytics cluster ({_options}) within {_options.ConnectTimeout}: {cause.Message}", cause);
            }
            catch
            {
                await StopQuietlyAsync(host).ConfigureAwait(false);
                throw;
            }
            _host = host;
            Volatile.Write(ref _cluster, host.Services.GetRequiredService<IClusterClient>());
            return _cluster!;
        }
        finally
        {
            _connectGate.Release();
        }
    }

    private IHost BuildHost(Action<Exception> onConnectError)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "Analytics.Client" });
        builder.Logging.ClearProviders();
        if (_loggerFactory is not null) builder.Services.AddSingleton(_loggerFactory);
        var options = _options;
        var giveUpAt = DateTime.UtcNow + options.ConnectTimeout;
        builder.UseOrleansClient(client =>
        {
            if (options.Clustering == ClusterDiscovery.AdoNet)
            {
                DbProviderFactories.RegisterFactory(AnalyticsClientOptions.PostgresInvariant, NpgsqlFactory.Instance);
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = options.Invariant;
                    o.ConnectionString = options.ConnectionString;
                });
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = options.ClusterId;
                    o.ServiceId = options.ServiceId;
                });
            }
            else
            {
                client.UseLocalhostClustering([.. options.EffectiveGatewayPorts], options.ServiceId, options.ClusterId);
            }
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = options.QueryTimeout);
            client.AddMemoryStreams(AnomalyStreams.ProviderName);
            client.UseConnectionRetryFilter(async (error, token) =>
            {
                onConnectError(error);
                if (DateTime.UtcNow >= giveUpAt) return false;
                await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                return true;
            });
        });
        return builder.Build();
    }

    private static async Task StopQuietlyAsync(IHost host)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansException or InvalidOperationException or TimeoutException)
        {
            // Best effort: the host is going away either way.
        }
        finally
        {
            host.Dispose();
        }
    }
}
