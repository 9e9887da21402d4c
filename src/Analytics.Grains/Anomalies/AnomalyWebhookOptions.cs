using System.Globalization;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Webhooks for alerting systems (configuration section <c>Anomalies:Webhooks</c>): every anomaly start and end
/// is POSTed as JSON (<see cref="AnomalyMessage"/>) to each URL, with a per-request timeout and bounded retries
/// with exponential backoff. Environment: <c>Anomalies__Webhooks__Urls__0=https://alerts.example/hook</c>.
/// URLs and headers often carry secrets: logs show only a URL's scheme and host, never headers.
/// </summary>
public sealed class AnomalyWebhookOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Anomalies:Webhooks";

    /// <summary>The absolute http or https URLs to POST to. Defaults to none (webhooks off).</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>Extra request headers, e.g. <c>Authorization</c>. Never logged. Defaults to none.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long one request may take, between 100 ms and 5 minutes. Defaults to 10 seconds (<c>00:00:10</c>).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many times one notification is sent to one URL at most (the first try included), between 1 and 20.
    /// Network errors, timeouts, 408, 429 and 5xx answers are retried; other answers are final. Defaults to 5.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// The wait before the first retry, doubled per retry up to <see cref="MaxBackoff"/> (a 429 or 503 answer's
    /// <c>Retry-After</c> is honoured up to <see cref="MaxBackoff"/>). Between 10 ms and 1 minute.
    /// Defaults to 1 second (<c>00:00:01</c>).
    /// </summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two tries, at least <see cref="InitialBackoff"/> and at most 10 minutes. Defaults to 30 seconds.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest time one notification can spend on one URL: every try timing out, every backoff in full.</summary>
    public TimeSpan WorstCase
    {
        get
        {
            var total = RequestTimeout * MaxAttempts;
            var backoff = InitialBackoff;
            for (var retry = 1; retry < MaxAttempts; retry++)
            {
                total += backoff;
                backoff = backoff * 2 > MaxBackoff ? MaxBackoff : backoff * 2;
            }

            return total;
        }
    }

    /// <summary>A URL as logs may show it: scheme and host only (paths and queries of webhook URLs hold tokens).</summary>
    public static string Redact(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/..." : "(not a URL)";
}

/// <summary>Fails start-up with a message naming the offending <c>Anomalies:Webhooks</c> setting.</summary>
public sealed class AnomalyWebhookOptionsValidator : IValidateOptions<AnomalyWebhookOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AnomalyWebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var section = AnomalyWebhookOptions.SectionName;
        for (var i = 0; i < options.Urls.Count; i++)
        {
            if (!Uri.TryCreate(options.Urls[i], UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                // The URL itself is not echoed: it may hold a token.
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:Urls:{i} must be an absolute http or https URL."));
            }
        }

        foreach (var header in options.Headers.Keys.Where(h => string.IsNullOrWhiteSpace(h) || h.Any(c => c <= ' ' || c == ':' || c > '~')))
        {
            failures.Add($"{section}:Headers has an invalid header name '{header}'.");
        }

        if (options.RequestTimeout < TimeSpan.FromMilliseconds(100) || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{section}:RequestTimeout must be between 00:00:00.100 and 00:05:00 (was {AnomalyPublishingOptionsValidator.Show(options.RequestTimeout)}).");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:MaxAttempts must be between 1 and 20 (was {options.MaxAttempts})."));
        }

        if (options.InitialBackoff < TimeSpan.FromMilliseconds(10) || options.InitialBackoff > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{section}:InitialBackoff must be between 00:00:00.010 and 00:01:00 (was {AnomalyPublishingOptionsValidator.Show(options.InitialBackoff)}).");
        }

        if (options.MaxBackoff < options.InitialBackoff || options.MaxBackoff > TimeSpan.FromMinutes(10))
        {
            failures.Add($"{section}:MaxBackoff must be between {section}:InitialBackoff and 00:10:00 (was {AnomalyPublishingOptionsValidator.Show(options.MaxBackoff)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
