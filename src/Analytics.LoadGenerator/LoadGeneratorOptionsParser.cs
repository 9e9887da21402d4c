using System.Globalization;
using System.Text;

namespace Analytics.LoadGenerator;

/// <summary>The outcome of parsing a command line.</summary>
/// <param name="Options">The options, when parsing succeeded and help was not asked for.</param>
/// <param name="Error">What is wrong, naming the option; <see langword="null"/> on success.</param>
/// <param name="HelpRequested">Whether <c>--help</c> was given.</param>
public sealed record OptionsParseResult(LoadGeneratorOptions? Options, string? Error, bool HelpRequested);

/// <summary>
/// Parses the load generator's command line: <c>--name value</c> or <c>--name=value</c>, flags without values,
/// repeatable <c>--incident</c> and <c>--kafka</c>. Every error names the option it is about.
/// </summary>
public static class LoadGeneratorOptionsParser
{
    private delegate string? Apply(ref LoadGeneratorOptions options, string value);

    private static readonly OptionSpec[] Specs =
    [
        new("--bootstrap", "HOST:PORT", "Kafka bootstrap servers", d => d.BootstrapServers,
            (ref LoadGeneratorOptions o, string v) => { o = o with { BootstrapServers = v }; return null; }),
        new("--topic", "NAME", "Topic to produce to", d => d.Topic,
            (ref LoadGeneratorOptions o, string v) => { o = o with { Topic = v }; return null; }),
        new("--rate", "N", "Target events per second; 0 = as fast as possible", d => Number(d.Rate),
            (ref LoadGeneratorOptions o, string v) => Double(v, out var x) ?? Set(ref o, o with { Rate = x })),
        new("--duration", "SECONDS", "How long to run (also 500ms, 30s, 5m, 1h); 0 = until Ctrl-C or --count", _ => "60, or none with --count",
            (ref LoadGeneratorOptions o, string v) => Duration(v, out var x) ?? Set(ref o, o with { Duration = x })),
        new("--count", "N", "Stop after sending N events", _ => "none",
            (ref LoadGeneratorOptions o, string v) => Long(v, out var x) ?? Set(ref o, o with { Count = x })),
        new("--pages", "N", "Number of distinct pages", d => Number(d.Pages),
            (ref LoadGeneratorOptions o, string v) => Int(v, out var x) ?? Set(ref o, o with { Pages = x })),
        new("--users", "N", "Number of distinct users", d => Number(d.Users),
            (ref LoadGeneratorOptions o, string v) => Int(v, out var x) ?? Set(ref o, o with { Users = x })),
        new("--sessions", "N", "Concurrently open sessions", d => Number(d.Sessions),
            (ref LoadGeneratorOptions o, string v) => Int(v, out var x) ?? Set(ref o, o with { Sessions = x })),
        new("--zipf", "S", "Zipf exponent of page popularity; 0 = uniform", d => Number(d.ZipfExponent),
            (ref LoadGeneratorOptions o, string v) => Double(v, out var x) ?? Set(ref o, o with { ZipfExponent = x })),
        new("--late-share", "F", "Fraction of events stamped --late-by in the past", d => Number(d.LateShare),
            (ref LoadGeneratorOptions o, string v) => Double(v, out var x) ?? Set(ref o, o with { LateShare = x })),
        new("--late-by", "SECONDS", "How far in the past late events are stamped", d => Number(d.LateBy.TotalSeconds),
            (ref LoadGeneratorOptions o, string v) => Duration(v, out var x) ?? Set(ref o, o with { LateBy = x })),
        new("--malformed-share", "F", "Fraction of malformed messages (not JSON, array, missing/empty page, bad/missing timestamp, page: 42, > 64 KiB)", d => Number(d.MalformedShare),
            (ref LoadGeneratorOptions o, string v) => Double(v, out var x) ?? Set(ref o, o with { MalformedShare = x })),
        new("--event-mix", "F", "Fraction of well-formed events that are not page views (click, scroll, search, ...)", d => Number(d.EventMix),
            (ref LoadGeneratorOptions o, string v) => Double(v, out var x) ?? Set(ref o, o with { EventMix = x })),
        new("--seed", "N", "Random seed, for reproducible traffic", _ => "random (recorded)",
            (ref LoadGeneratorOptions o, string v) => Int(v, out var x) ?? Set(ref o, o with { Seed = x })),
        new("--record", "PATH", "Write the record of delivered events (JSON) here at exit, also on Ctrl-C", _ => "none",
            (ref LoadGeneratorOptions o, string v) => Set(ref o, o with { RecordPath = v })),
        new("--run-id", "ID", "Run id put into every event (run_id) and session id", _ => "generated",
            (ref LoadGeneratorOptions o, string v) => Set(ref o, o with { RunId = v })),
        new("--page-prefix", "PREFIX", "Prefix for every page path, e.g. /bench-1", _ => "none",
            (ref LoadGeneratorOptions o, string v) => Set(ref o, o with { PagePrefix = v })),
        new("--incident", "SPEC", "Traffic incident, repeatable: spike:page=/x,at=30s,factor=5,for=20s | drop:rank=1,at=1m,factor=0.2,for=30s | spike:at=10s,factor=3,for=5s (site)", _ => "none",
            (ref LoadGeneratorOptions o, string v) => IncidentSpec.TryParse(v, out var x, out var e) ? Set(ref o, o with { Incidents = [.. o.Incidents, x!] }) : e),
        new("--kafka", "KEY=VALUE", "Extra librdkafka producer setting, repeatable (e.g. linger.ms=20)", _ => "none",
            (ref LoadGeneratorOptions o, string v) => KafkaSetting(ref o, v)),
        new("--flush-timeout", "SECONDS", "How long to wait at exit for unacknowledged messages", d => Number(d.FlushTimeout.TotalSeconds),
            (ref LoadGeneratorOptions o, string v) => Duration(v, out var x) ?? Set(ref o, o with { FlushTimeout = x })),
        new("--quiet", null, "No progress line", _ => "off",
            (ref LoadGeneratorOptions o, string _) => Set(ref o, o with { Quiet = true })),
        new("--help", null, "Show this help", _ => "",
            (ref LoadGeneratorOptions o, string _) => null),
    ];

    /// <summary>The usage text.</summary>
    public static string HelpText { get; } = BuildHelp();

    /// <summary>Parses <paramref name="args"/> and validates the result.</summary>
    public static OptionsParseResult Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new LoadGeneratorOptions();
        var durationGiven = false;
        var help = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "-?")
            {
                arg = "--help";
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                return Fail($"unexpected argument '{arg}' (options start with --)");
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            var spec = Array.Find(Specs, s => s.Name == name);
            if (spec is null)
            {
                return Fail($"unknown option '{name}'");
            }

            string value;
            if (spec.ValueName is null)
            {
                if (equals >= 0)
                {
                    return Fail($"{name}: takes no value");
                }

                value = "";
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                return Fail($"{name}: needs a value ({spec.ValueName})");
            }

            help |= name == "--help";
            durationGiven |= name == "--duration";
            if (spec.Apply(ref options, value) is { } error)
            {
                return Fail($"{name}: {error}");
            }
        }

        if (help)
        {
            return new OptionsParseResult(null, null, HelpRequested: true);
        }

        if (options.Count is not null && !durationGiven)
        {
            options = options with { Duration = TimeSpan.Zero };
        }

        var problems = options.Validate();
        return problems.Count > 0 ? Fail(string.Join(Environment.NewLine, problems)) : new OptionsParseResult(options, null, false);
    }

    private static OptionsParseResult Fail(string error) => new(null, error, false);

    private static string? Set(ref LoadGeneratorOptions options, LoadGeneratorOptions updated)
    {
        options = updated;
        return null;
    }

    private static string? Double(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value)
            ? null
            : $"'{text}' is not a number";

    private static string? Int(string text, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) ? null : $"'{text}' is not a whole number";

    private static string? Long(string text, out long value) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) ? null : $"'{text}' is not a whole number";

    private static string? Duration(string text, out TimeSpan value) =>
        DurationText.TryParse(text, out value) ? null : $"'{text}' is not a duration (seconds, or 500ms, 30s, 5m, 1h)";

    private static string? KafkaSetting(ref LoadGeneratorOptions options, string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return $"'{text}' must look like key=value";
        }

        var settings = new Dictionary<string, string>(options.KafkaSettings, StringComparer.Ordinal)
        {
            [text[..equals].Trim()] = text[(equals + 1)..],
        };
        options = options with { KafkaSettings = settings };
        return null;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string BuildHelp()
    {
        var defaults = new LoadGeneratorOptions();
        var text = new StringBuilder();
        text.AppendLine("Analytics load generator: produces realistic page-view traffic to Kafka and records what was delivered.");
        text.AppendLine();
        text.AppendLine("Usage: Analytics.LoadGenerator [options]");
        text.AppendLine();
        text.AppendLine("Options:");
        foreach (var spec in Specs)
        {
            var left = spec.ValueName is null ? spec.Name : $"{spec.Name} {spec.ValueName}";
            var fallback = spec.Default(defaults);
            var suffix = fallback.Length == 0 ? "" : $" [default: {fallback}]";
            text.Append(CultureInfo.InvariantCulture, $"  {left,-26} {spec.Help}{suffix}").AppendLine();
        }

        text.AppendLine();
        text.AppendLine("Events are JSON (event, user_id, session_id, page, timestamp, referrer, duration_ms, user_agent, country, run_id),");
        text.AppendLine("keyed by session_id, sent with acks=all and idempotence. Progress goes to stderr once a second.");
        text.AppendLine("Exit code: 0 all delivered, 1 some failed or unconfirmed, 2 bad options.");
        text.AppendLine();
        text.AppendLine("Example: Analytics.LoadGenerator --rate 50000 --duration 120 --late-share 0.01 --malformed-share 0.001 --record run.json");
        return text.ToString();
    }

    private sealed record OptionSpec(string Name, string? ValueName, string Help, Func<LoadGeneratorOptions, string> Default, Apply Apply);
}
