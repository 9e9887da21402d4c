using Analytics.Grains.Anomalies;
using Microsoft.Extensions.Time.Testing;

namespace Analytics.UnitTests.Anomalies;

/// <summary>
/// Drives an <see cref="AnomalyMonitor"/> the way a grain would: Poisson traffic in event time, delivered in
/// batches every 250 ms (most at the next batch, some one batch later, 2 % 1.5 s late so that some miss their
/// second's evaluation), the monitor advanced after every batch by a <see cref="FakeTimeProvider"/>.
/// </summary>
internal sealed class SimulatedPipeline
{
    public static readonly DateTime Start = new(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);
    private readonly Random _random;
    private readonly List<(DateTime DeliverAt, DateTime EventTime, long Count)> _inFlight = [];
    private long _lastEvaluated;
    private long _evaluations;
    private double _sumOfZScores;

    public SimulatedPipeline(AnomalyOptions options, int seed, AnomalyScope scope = AnomalyScope.Page, string page = "/docs")
    {
        _random = new Random(seed);
        Time = new FakeTimeProvider(new DateTimeOffset(Start));
        Monitor = new AnomalyMonitor(options, scope, page);
    }

    public FakeTimeProvider Time { get; }

    public AnomalyMonitor Monitor { get; }

    public List<AnomalyEvent> Events { get; } = [];

    public DateTime Now => Time.GetUtcNow().UtcDateTime;

    /// <summary>The largest |z| of any evaluated second so far.</summary>
    public double MaxAbsZScore { get; private set; }

    /// <summary>The mean z-score of the evaluated seconds: near 0 unless the comparison is biased.</summary>
    public double MeanZScore => _evaluations == 0 ? 0 : _sumOfZScores / _evaluations;

    /// <summary>How many events arrived after their second was evaluated and were left out.</summary>
    public long LateEvents { get; private set; }

    public void Run(TimeSpan duration, double eventsPerSecond) => Run(duration, _ => eventsPerSecond);

    /// <summary>Runs for <paramref name="duration"/> with the rate given by the time since the start.</summary>
    public void Run(TimeSpan duration, Func<TimeSpan, double> eventsPerSecond)
    {
        var end = Now + duration;
        while (Now < end)
        {
            var sliceStart = Now;
            var count = Poisson.Sample(_random, eventsPerSecond(sliceStart - Start) * Tick.TotalSeconds);
            var eventTime = sliceStart + (Tick / 2);
            var oneBatchLate = count / 12;
            var stragglers = count / 50;
            _inFlight.Add((sliceStart + Tick, eventTime, count - oneBatchLate - stragglers));
            _inFlight.Add((sliceStart + (2 * Tick), eventTime, oneBatchLate));
            _inFlight.Add((sliceStart + Tick + TimeSpan.FromSeconds(1.5), eventTime, stragglers));

            Time.Advance(Tick);
            Deliver();
            Events.AddRange(Monitor.AdvanceTo(Now));
            if (Monitor.Detector.LastReading is { } reading && reading.Second != _lastEvaluated)
            {
                _lastEvaluated = reading.Second;
                _evaluations++;
                _sumOfZScores += reading.ZScore;
                MaxAbsZScore = Math.Max(MaxAbsZScore, Math.Abs(reading.ZScore));
            }
        }
    }

    private void Deliver()
    {
        foreach (var (_, eventTime, count) in _inFlight.Where(e => e.DeliverAt <= Now && e.Count > 0))
        {
            if (Monitor.Record(eventTime, count) == RecordOutcome.Late)
            {
                LateEvents += count;
            }
        }

        _inFlight.RemoveAll(e => e.DeliverAt <= Now);
    }
}
