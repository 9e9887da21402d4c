using System.Globalization;
using System.Text.RegularExpressions;

namespace Analytics.LoadGenerator;

/// <summary>
/// Everything one load-generator run needs: where to send, how fast, for how long, and what the traffic looks like.
/// </summary>
/// <remarks>
/// The command line maps onto this type one option per property (see <see cref="LoadGeneratorOptionsParser"/>);
/// tests and benchmarks build it in code. <see cref="Validate"/> names the command-line option of every problem.
/// </remarks>
public sealed partial record LoadGeneratorOptions
{
    /// <summary>Kafka bootstrap servers (<c>--bootstrap</c>). Defaults to <c>127.0.0.1:9092</c>.</summary>
    public string BootstrapServers { get; init; } = "127.0.0.1:9092";

    /// <summary>The topic to produce to (<c>--topic</c>). Defaults to <c>analytics-events</c>.</summary>
    public string Topic { get; init; } = "analytics-events";

    /// <summary>Target events per second (<c>--rate</c>); 0 means as fast as possible. Defaults to 1000.</summary>
    public double Rate { get; init; } = 1000;

    /// <summary>
    /// How long to run (<c>--duration</c>); <see cref="TimeSpan.Zero"/> means no time limit (until
    /// <see cref="Count"/> events or cancellation). Defaults to 60 seconds.
    /// </summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stop after this many events were sent (<c>--count</c>); <see langword="null"/> for no limit. Defaults to none.</summary>
    public long? Count { get; init; }

    /// <summary>Number of distinct pages (<c>--pages</c>). Defaults to 200.</summary>
    public int Pages { get; init; } = 200;

    /// <summary>Number of distinct users (<c>--users</c>). Defaults to 20,000.</summary>
    public int Users { get; init; } = 20_000;

    /// <summary>Number of concurrently open sessions (<c>--sessions</c>). Defaults to 2,000.</summary>
    public int Sessions { get; init; } = 2_000;

    /// <summary>Zipf exponent of page popularity (<c>--zipf</c>); 0 is uniform. Defaults to 1.1.</summary>
    public double ZipfExponent { get; init; } = 1.1;

    /// <summary>
    /// Fraction of all events that are late (<c>--late-share</c>), in [0, 1]; the first
    /// <see cref="TrafficModel.LateWarmupEvents"/> events are never late. Defaults to 0.
    /// </summary>
    public double LateShare { get; init; }

    /// <summary>How far in the past late events are stamped (<c>--late-by</c>). Defaults to 90 seconds.</summary>
    public TimeSpan LateBy { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Fraction of all events that are malformed (<c>--malformed-share</c>), in [0, 1]. Defaults to 0.</summary>
    public double MalformedShare { get; init; }

    /// <summary>
    /// Fraction of well-formed events that are not page views (<c>--event-mix</c>): click, scroll, search, ...
    /// Every session starts with a page view; later events make up for it, so the overall share matches up to about
    /// 0.79 (above that, the entry page views cap it). Defaults to 0.1.
    /// </summary>
    public double EventMix { get; init; } = 0.1;

    /// <summary>Seed of the random generator (<c>--seed</c>); <see langword="null"/> picks one (and records it). Defaults to none.</summary>
    public int? Seed { get; init; }

    /// <summary>Where to write the send record as JSON (<c>--record</c>); <see langword="null"/> writes none. Defaults to none.</summary>
    public string? RecordPath { get; init; }

    /// <summary>
    /// The run id put into every event as <c>run_id</c> and into session ids (<c>--run-id</c>);
    /// <see langword="null"/> generates <c>lg-yyyyMMdd-HHmmss-SEEDHEX</c> from the start time and seed. Defaults to none.
    /// </summary>
    public string? RunId { get; init; }

    /// <summary>Prefix prepended verbatim to every page path (<c>--page-prefix</c>), e.g. <c>/bench-7</c>. Defaults to empty.</summary>
    public string PagePrefix { get; init; } = "";

    /// <summary>Scheduled traffic incidents (<c>--incident</c>, repeatable). Defaults to none.</summary>
    public IReadOnlyList<IncidentSpec> Incidents { get; init; } = [];

    /// <summary>Extra librdkafka producer settings (<c>--kafka key=value</c>, repeatable); they override ours. Defaults to none.</summary>
    public IReadOnlyDictionary<string, string> KafkaSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>How long to wait at exit for in-flight messages (<c>--flush-timeout</c>). Defaults to 30 seconds.</summary>
    public TimeSpan FlushTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Suppress the per-second progress line (<c>--quiet</c>). Defaults to <see langword="false"/>.</summary>
    public bool Quiet { get; init; }

    /// <summary>Returns one message per invalid setting, each naming its command-line option; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            errors.Add("--bootstrap: must not be empty");
        }

        if (!TopicName().IsMatch(Topic ?? ""))
        {
            errors.Add($"--topic: '{Topic}' is not a valid Kafka topic name (1-249 of [A-Za-z0-9._-])");
        }

        if (!double.IsFinite(Rate) || Rate < 0)
        {
            errors.Add($"--rate: must be a number >= 0 (0 = as fast as possible), got {Format(Rate)}");
        }

        if (Duration < TimeSpan.Zero)
        {
            errors.Add($"--duration: must be >= 0 seconds, got {Format(Duration.TotalSeconds)}");
        }

        if (Count is < 1)
        {
            errors.Add($"--count: must be >= 1, got {Count}");
        }

        CheckRange(errors, "--pages", Pages, 1, 10_000_000);
        CheckRange(errors, "--users", Users, 1, 1_000_000_000);
        CheckRange(errors, "--sessions", Sessions, 1, 10_000_000);

        if (!double.IsFinite(ZipfExponent) || ZipfExponent < 0 || ZipfExponent > 10)
        {
            errors.Add($"--zipf: must be between 0 and 10, got {Format(ZipfExponent)}");
        }

        CheckShare(errors, "--late-share", LateShare);
        CheckShare(errors, "--malformed-share", MalformedShare);
        CheckShare(errors, "--event-mix", EventMix);
        if (LateShare + MalformedShare > 1)
        {
            errors.Add($"--late-share + --malformed-share: must not exceed 1, got {Format(LateShare + MalformedShare)}");
        }

        if (LateBy <= TimeSpan.Zero)
        {
            errors.Add($"--late-by: must be > 0 seconds, got {Format(LateBy.TotalSeconds)}");
        }

        if (RecordPath is { } path && string.IsNullOrWhiteSpace(path))
        {
            errors.Add("--record: must not be empty");
        }

        if (RunId is { } runId && !RunIdPattern().IsMatch(runId))
        {
            errors.Add($"--run-id: '{runId}' must be 1-64 of [A-Za-z0-9._:-]");
        }

        if (PagePrefix is null || (PagePrefix.Length > 0 && !PagePrefixPattern().IsMatch(PagePrefix)))
        {
            errors.Add($"--page-prefix: '{PagePrefix}' must start with '/' and contain no whitespace (at most 200 characters)");
        }

        if (FlushTimeout < TimeSpan.Zero)
        {
            errors.Add($"--flush-timeout: must be >= 0 seconds, got {Format(FlushTimeout.TotalSeconds)}");
        }

        if (Incidents.Count > 0 && errors.Count == 0)
        {
            var catalog = new PageCatalog(Pages, PagePrefix!);
            foreach (var incident in Incidents)
            {
                if (incident.Validate(catalog) is { } error)
                {
                    errors.Add($"--incident: {error}");
                }
            }
        }

        foreach (var key in KafkaSettings.Keys)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add("--kafka: setting names must not be empty");
            }
        }

        return errors;
    }

    private static void CheckRange(List<string> errors, string option, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{option}: must be between {min} and {max}, got {value}"));
        }
    }

    private static void CheckShare(List<string> errors, string option, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            errors.Add($"{option}: must be a fraction between 0 and 1, got {Format(value)}");
        }
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex RunIdPattern();

    [GeneratedRegex(@"^/\S{0,199}$")]
    private static partial Regex PagePrefixPattern();
}
