using Analytics.LoadGenerator;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class LoadGeneratorOptionsParserTests
{
    private static LoadGeneratorOptions Parse(params string[] args)
    {
        var result = LoadGeneratorOptionsParser.Parse(args);
        Assert.Null(result.Error);
        return Assert.IsType<LoadGeneratorOptions>(result.Options);
    }

    private static string Error(params string[] args)
    {
        var result = LoadGeneratorOptionsParser.Parse(args);
        Assert.Null(result.Options);
        return Assert.IsType<string>(result.Error);
    }

    [Fact]
    public void NoArguments_GiveTheDocumentedDefaults()
    {
        var options = Parse();

        Assert.Equal("127.0.0.1:9092", options.BootstrapServers);
        Assert.Equal("analytics-events", options.Topic);
        Assert.Equal(1000, options.Rate);
        Assert.Equal(TimeSpan.FromSeconds(60), options.Duration);
        Assert.Null(options.Count);
        Assert.Equal(200, options.Pages);
        Assert.Equal(20_000, options.Users);
        Assert.Equal(2_000, options.Sessions);
        Assert.Equal(1.1, options.ZipfExponent);
        Assert.Equal(0, options.LateShare);
        Assert.Equal(TimeSpan.FromSeconds(90), options.LateBy);
        Assert.Equal(0, options.MalformedShare);
        Assert.Equal(0.1, options.EventMix);
        Assert.Null(options.Seed);
        Assert.Null(options.RecordPath);
        Assert.Null(options.RunId);
        Assert.Equal("", options.PagePrefix);
        Assert.Empty(options.Incidents);
        Assert.False(options.Quiet);
    }

    [Fact]
    public void EveryOption_IsParsed_InBothSpellings()
    {
        var options = Parse(
            "--bootstrap", "k1:9092,k2:9092", "--topic=events-test", "--rate", "50000", "--duration=2m",
            "--pages", "50", "--users=100", "--sessions", "10", "--zipf", "0.8", "--late-share", "0.01",
            "--late-by", "120", "--malformed-share=0.002", "--event-mix", "0.25", "--seed", "-3",
            "--record", "out/run.json", "--run-id", "bench-1", "--page-prefix", "/bench-1",
            "--incident", "spike:page=/pricing,at=30s,factor=5,for=20s", "--incident=drop:at=1m,factor=0.5",
            "--kafka", "linger.ms=20", "--flush-timeout", "5", "--quiet");

        Assert.Equal("k1:9092,k2:9092", options.BootstrapServers);
        Assert.Equal("events-test", options.Topic);
        Assert.Equal(50_000, options.Rate);
        Assert.Equal(TimeSpan.FromMinutes(2), options.Duration);
        Assert.Equal(50, options.Pages);
        Assert.Equal(100, options.Users);
        Assert.Equal(10, options.Sessions);
        Assert.Equal(0.8, options.ZipfExponent);
        Assert.Equal(0.01, options.LateShare);
        Assert.Equal(TimeSpan.FromSeconds(120), options.LateBy);
        Assert.Equal(0.002, options.MalformedShare);
        Assert.Equal(0.25, options.EventMix);
        Assert.Equal(-3, options.Seed);
        Assert.Equal("out/run.json", options.RecordPath);
        Assert.Equal("bench-1", options.RunId);
        Assert.Equal("/bench-1", options.PagePrefix);
        Assert.Equal(
            [
                new IncidentSpec { Kind = IncidentKind.Spike, Page = "/pricing", At = TimeSpan.FromSeconds(30), Factor = 5, For = TimeSpan.FromSeconds(20) },
                new IncidentSpec { Kind = IncidentKind.Drop, At = TimeSpan.FromMinutes(1), Factor = 0.5 },
            ],
            options.Incidents);
        Assert.Equal("20", options.KafkaSettings["linger.ms"]);
        Assert.Equal(TimeSpan.FromSeconds(5), options.FlushTimeout);
        Assert.True(options.Quiet);
    }

    [Fact]
    public void Count_WithoutDuration_RunsUntilTheCount()
    {
        Assert.Equal(TimeSpan.Zero, Parse("--count", "1000").Duration);
        Assert.Equal(1000, Parse("--count", "1000").Count);
        Assert.Equal(TimeSpan.FromSeconds(10), Parse("--count", "1000", "--duration", "10").Duration);
        Assert.Equal(TimeSpan.Zero, Parse("--duration", "0").Duration);
    }

    [Theory]
    [InlineData("--rate", "fast", "--rate: 'fast' is not a number")]
    [InlineData("--rate", "-1", "--rate: must be a number >= 0")]
    [InlineData("--duration", "soon", "--duration: 'soon' is not a duration")]
    [InlineData("--count", "0", "--count: must be >= 1")]
    [InlineData("--count", "1.5", "--count: '1.5' is not a whole number")]
    [InlineData("--pages", "0", "--pages: must be between 1")]
    [InlineData("--users", "many", "--users: 'many' is not a whole number")]
    [InlineData("--sessions", "0", "--sessions: must be between 1")]
    [InlineData("--zipf", "-1", "--zipf: must be between 0 and 10")]
    [InlineData("--late-share", "1.5", "--late-share: must be a fraction between 0 and 1")]
    [InlineData("--late-by", "0", "--late-by: must be > 0 seconds")]
    [InlineData("--malformed-share", "-0.1", "--malformed-share: must be a fraction between 0 and 1")]
    [InlineData("--event-mix", "2", "--event-mix: must be a fraction between 0 and 1")]
    [InlineData("--seed", "x", "--seed: 'x' is not a whole number")]
    [InlineData("--run-id", "has space", "--run-id: 'has space' must be")]
    [InlineData("--page-prefix", "bench", "--page-prefix: 'bench' must start with '/'")]
    [InlineData("--topic", "bad topic", "--topic: 'bad topic' is not a valid Kafka topic name")]
    [InlineData("--incident", "surge:factor=2", "--incident: unknown incident kind 'surge'")]
    [InlineData("--incident", "spike:at=10s", "--incident: 'spike:at=10s' needs factor=N")]
    [InlineData("--incident", "spike:factor=0.5", "--incident: a spike needs factor > 1")]
    [InlineData("--incident", "drop:factor=2", "--incident: a drop needs 0 <= factor < 1")]
    [InlineData("--incident", "spike:page=/nowhere,factor=2", "--incident: spike: page '/nowhere' is not one of the generated pages")]
    [InlineData("--incident", "spike:rank=999,factor=2", "--incident: spike: rank 999 is outside 1..200")]
    [InlineData("--incident", "spike:when=now,factor=2", "--incident: bad incident setting 'when=now'")]
    [InlineData("--kafka", "linger.ms", "--kafka: 'linger.ms' must look like key=value")]
    public void BadValues_AreRejected_NamingTheOption(string option, string value, string expected)
    {
        Assert.StartsWith(expected, Error(option, value), StringComparison.Ordinal);
    }

    [Fact]
    public void SharesThatAddUpToMoreThanOne_AreRejected()
    {
        Assert.Contains("--late-share + --malformed-share", Error("--late-share", "0.6", "--malformed-share", "0.5"), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownOptions_MissingValues_AndStrayArguments_AreRejected()
    {
        Assert.Equal("unknown option '--speed'", Error("--speed", "5"));
        Assert.Equal("--rate: needs a value (N)", Error("--rate"));
        Assert.Equal("--quiet: takes no value", Error("--quiet=yes"));
        Assert.Equal("unexpected argument 'fast' (options start with --)", Error("fast"));
    }

    [Fact]
    public void Help_IsRecognised_AndListsEveryOption()
    {
        Assert.True(LoadGeneratorOptionsParser.Parse(["--help"]).HelpRequested);
        Assert.True(LoadGeneratorOptionsParser.Parse(["--rate", "5", "-h"]).HelpRequested);
        foreach (var option in new[]
        {
            "--bootstrap", "--topic", "--rate", "--duration", "--count", "--pages", "--users", "--sessions", "--zipf",
            "--late-share", "--late-by", "--malformed-share", "--event-mix", "--seed", "--record", "--run-id",
            "--page-prefix", "--incident", "--kafka", "--flush-timeout", "--quiet",
        })
        {
            Assert.Contains(option, LoadGeneratorOptionsParser.HelpText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Cli_ReturnsUsageError_ForBadOptions_AndZero_ForHelp()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(LoadGeneratorCli.UsageError, await LoadGeneratorCli.RunAsync(["--pages", "none"], output, error));
        Assert.Contains("--pages", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(LoadGeneratorCli.Success, await LoadGeneratorCli.RunAsync(["--help"], output, error));
        Assert.Contains("Usage:", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("90", 90_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    public void Durations_AcceptSecondsAndUnits(string text, double milliseconds)
    {
        Assert.True(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-5")]
    [InlineData("5d")]
    [InlineData("ms")]
    public void Durations_RejectNonsense(string text)
    {
        Assert.False(DurationText.TryParse(text, out _));
    }
}
