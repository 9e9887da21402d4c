using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// POSTs each notification as JSON (<see cref="AnomalyMessage"/>) to every <see cref="AnomalyWebhookOptions.Urls"/>
/// entry, through the named <see cref="IHttpClientFactory"/> client <see cref="HttpClientName"/>. Each request has
/// <see cref="AnomalyWebhookOptions.RequestTimeout"/>; network errors, timeouts, 408, 429 and 5xx are retried with
/// exponential backoff (honouring <c>Retry-After</c>) up to <see cref="AnomalyWebhookOptions.MaxAttempts"/> tries,
/// then given up (logged, counted): an alerting endpoint that stays down must not hold anomalies back forever.
/// Requests carry an <c>Idempotency-Key</c> header (the notification id) for receivers that deduplicate.
/// </summary>
public sealed partial class WebhookAnomalyTarget(
    IHttpClientFactory httpClients,
    IOptions<AnomalyWebhookOptions> options,
    AnomalyPublishingMetrics metrics,
    TimeProvider time,
    ILogger<WebhookAnomalyTarget> logger) : IAnomalyTarget, IDisposable
{
    /// <summary>The name of the <see cref="HttpClient"/> used for webhooks (configure it with <c>AddHttpClient</c>).</summary>
    public const string HttpClientName = "Analytics.AnomalyWebhooks";

    /// <summary>How many webhook requests are in flight at most, over all URLs.</summary>
    public const int MaxConcurrentRequests = 16;

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private readonly SemaphoreSlim _concurrency = new(MaxConcurrentRequests);

    /// <inheritdoc />
    public AnomalyTargets Target => AnomalyTargets.Webhooks;

    /// <inheritdoc />
    public bool IsEnabled => options.Value.Urls.Count > 0;

    /// <summary>
    /// Sends every delivery to every URL. A delivery is done once each URL accepted it or was given up; it is left
    /// undone only when <paramref name="cancellationToken"/> stopped it (the silo shuts down).
    /// </summary>
    public async Task<bool[]> DeliverAsync(IReadOnlyList<AnomalyDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var urls = options.Value.Urls;
        var sends = deliveries.Select(async delivery =>
        {
            var body = AnomalyMessage.Serialize(delivery.Notification);
            var perUrl = await Task.WhenAll(urls.Select(url => SendAsync(url, delivery.Key, body, cancellationToken))).ConfigureAwait(false);
            return perUrl.All(done => done);
        });
        return await Task.WhenAll(sends).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _concurrency.Dispose();

    /// <summary>Whether an answer with this status is worth another try.</summary>
    internal static bool IsRetryable(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>Sends one notification to one URL with retries; false only when cancelled.</summary>
    private async Task<bool> SendAsync(string url, string key, byte[] body, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var backoff = settings.InitialBackoff;
        var client = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            string outcome;
            await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(settings.RequestTimeout);
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = Json;
                request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
                foreach (var (name, value) in settings.Headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }

                metrics.WebhookAttempts.Add(1);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                outcome = $"HTTP {(int)response.StatusCode}";
                if (!IsRetryable(response.StatusCode))
                {
                    GiveUp(url, key, attempt, outcome);
                    return true;
                }

                retryAfter = response.Headers.RetryAfter is { } header
                    ? header.Delta ?? (header.Date is { } date ? date - time.GetUtcNow() : null)
                    : null;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            catch (OperationCanceledException)
            {
                outcome = "timed out";
            }
            catch (HttpRequestException ex)
            {
                outcome = ex.HttpRequestError.ToString();
            }
            finally
            {
                _concurrency.Release();
            }

            if (attempt >= settings.MaxAttempts)
            {
                GiveUp(url, key, attempt, outcome);
                return true;
            }

            var wait = retryAfter is { } asked && asked > backoff ? asked : backoff;
            wait = wait > settings.MaxBackoff ? settings.MaxBackoff : wait;
            LogRetrying(AnomalyWebhookOptions.Redact(url), key, attempt, outcome, wait);
            try
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            backoff = backoff * 2 > settings.MaxBackoff ? settings.MaxBackoff : backoff * 2;
        }
    }

    private void GiveUp(string url, string key, int attempts, string outcome)
    {
        metrics.WebhookGaveUp.Add(1);
        LogGaveUp(AnomalyWebhookOptions.Redact(url), key, attempts, outcome);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {Url} did not take anomaly notification {Key} (try {Attempt}: {Outcome}); retrying in {Wait}.")]
    private partial void LogRetrying(string url, string key, int attempt, string outcome, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {Url} did not take anomaly notification {Key} after {Attempts} tries ({Outcome}); giving up.")]
    private partial void LogGaveUp(string url, string key, int attempts, string outcome);
}
