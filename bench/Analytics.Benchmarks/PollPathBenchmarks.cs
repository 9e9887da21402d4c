using Analytics.Grains;
using Analytics.Grains.Parsing;
using Analytics.Grains.Streaming;
using Analytics.LoadGenerator;
using Analytics.Streaming.Kafka.Mapping;
using Analytics.Streaming.Kafka.Providers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;

namespace Analytics.Benchmarks;

/// <summary>
/// The per-record work of one poll on the pulling agent's turn, over the load generator's own traffic (10% other
/// event types, referrers, user agents): parse alone, and parse + map to page and session streams + group into
/// batch containers. Results are per poll of <see cref="Records"/> records; divide by it for per-record figures.
/// The baseline only walks the JSON tokens: the floor any parser pays.
/// </summary>
[MemoryDiagnoser]
public class PollPathBenchmarks
{
    private const string Topic = "analytics-events";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);
    private readonly AnalyticsRecordMapper _mapper = new(Options.Create(new PipelineOptions()), Options.Create(new Analytics.Grains.Sessions.SessionOptions()));
    private KafkaRecord[] _records = [];
    private PollBuilder _builder = null!;

    /// <summary>Records per poll.</summary>
    [Params(2_000)]
    public int Records { get; set; }

    /// <summary>Generates the records once, with a fixed seed.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var options = new LoadGeneratorOptions { Rate = 0, Seed = 1, PagePrefix = "/bench" };
        var model = new TrafficModel(options, "bench", TimeProvider.System, new Random(1));
        var now = DateTime.UtcNow;
        _records = Enumerable.Range(0, Records)
            .Select(i => model.Next())
            .Select((e, i) => new KafkaRecord(Topic, 0, i, now, e.Key, e.Payload))
            .ToArray();
        _builder = new PollBuilder(_mapper, 64 * 1024);
    }

    /// <summary>Reads every JSON token of every record without materialising anything.</summary>
    [Benchmark(Baseline = true)]
    public int WalkTokens()
    {
        var tokens = 0;
        foreach (var record in _records)
        {
            var reader = new System.Text.Json.Utf8JsonReader(record.Value);
            while (reader.Read()) tokens++;
        }
        return tokens;
    }

    /// <summary>Parses and validates every record into an event.</summary>
    [Benchmark]
    public int Parse()
    {
        var accepted = 0;
        foreach (var record in _records)
        {
            if (AnalyticsEventParser.Parse(record.Value, record.Timestamp, Skew).IsSuccess) accepted++;
        }
        return accepted;
    }

    /// <summary>Parses, maps each record to its page and session streams and groups one poll into containers.</summary>
    [Benchmark]
    public int MapAndGroup()
    {
        foreach (var record in _records) _builder.Add(record);
        var (containers, _) = _builder.Complete(Topic, 0, DateTime.UtcNow);
        return containers.Count;
    }
}
