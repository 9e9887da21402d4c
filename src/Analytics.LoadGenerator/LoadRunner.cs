using System.Globalization;

namespace Analytics.LoadGenerator;

/// <summary>
/// Runs the load: generates events with a <see cref="TrafficModel"/>, paces them with a <see cref="TokenBucket"/>
/// (shaped by the <see cref="IncidentSchedule"/>), hands them to an <see cref="IEventSink"/>, shows progress, and
/// returns (and optionally writes) the <see cref="SendRecord"/> of what was delivered.
/// </summary>
/// <remarks>
/// The sending loop runs on a dedicated thread. Between bursts it sleeps in slices of 1 to 50 ms, so at 50,000
/// events per second it wakes about once a millisecond and sends the ~50 events earned meanwhile, instead of
/// sleeping per event. When the rate is 0 it sends as fast as the sink accepts. Cancellation stops sending; the
/// in-flight messages are still flushed and the record is still written.
/// </remarks>
public sealed class LoadRunner
{
    private const int MaxBatch = 1024;
    // Up to a second of missed sends (a GC pause, a busy CPU) is made up, so the average rate holds.
    private static readonly TimeSpan Burst = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly LoadGeneratorOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly TextWriter? _log;
    private double _rateFactor = 1.0;

    /// <summary>Creates a runner.</summary>
    /// <param name="options">What to run; validated by <see cref="RunAsync(IEventSink, CancellationToken)"/>.</param>
    /// <param name="timeProvider">The clock: event timestamps, pacing, duration and progress.</param>
    /// <param name="log">Where progress (unless <see cref="LoadGeneratorOptions.Quiet"/>) and errors go; <see langword="null"/> for silence.</param>
    public LoadRunner(LoadGeneratorOptions options, TimeProvider timeProvider, TextWriter? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options;
        _timeProvider = timeProvider;
        _log = log is null ? null : TextWriter.Synchronized(log);
    }

    /// <summary>The counters of the current run, readable while it runs.</summary>
    public SendRecorder Recorder { get; } = new();

    /// <summary>The run id in use, once <see cref="RunAsync(IEventSink, CancellationToken)"/> has started.</summary>
    public string? RunId { get; private set; }

    /// <summary>Runs against Kafka as <paramref name="options"/> say, with progress and errors on standard error.</summary>
    public static Task<SendRecord> RunAsync(LoadGeneratorOptions options, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        new LoadRunner(options, timeProvider, Console.Error).RunAsync(cancellationToken);

    /// <summary>Runs against Kafka.</summary>
    public async Task<SendRecord> RunAsync(CancellationToken cancellationToken)
    {
        ThrowIfInvalid();
        using var sink = new KafkaEventSink(_options, _log);
        return await RunAsync(sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs against <paramref name="sink"/> (not disposed here).</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public async Task<SendRecord> RunAsync(IEventSink sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ThrowIfInvalid();

        var seed = _options.Seed ?? Random.Shared.Next();
        var random = new Random(seed);
        var started = _timeProvider.GetUtcNow().UtcDateTime;
        RunId = _options.RunId ?? string.Create(CultureInfo.InvariantCulture, $"lg-{started:yyyyMMdd-HHmmss}-{seed:x8}");
        var model = new TrafficModel(_options, RunId, _timeProvider, random);

        var startTimestamp = _timeProvider.GetTimestamp();
        var progress = _options.Quiet || _log is null ? null : new Progress(this, startTimestamp);
        var timer = progress is null ? null : _timeProvider.CreateTimer(_ => progress.Report(), null, ProgressInterval, ProgressInterval);
        try
        {
            var sendEnd = await Task.Factory.StartNew(
                () => SendLoop(model, sink, startTimestamp, cancellationToken),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).ConfigureAwait(false);

            var outstanding = await Task.Run(() => sink.Flush(_options.FlushTimeout), CancellationToken.None).ConfigureAwait(false);
            if (outstanding > 0)
            {
                _log?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{outstanding} messages still unconfirmed after the {_options.FlushTimeout.TotalSeconds:0.#} s flush timeout"));
            }

            if (timer is not null)
            {
                await timer.DisposeAsync().ConfigureAwait(false);
                timer = null;
            }

            var record = Recorder.ToRecord(
                RunId,
                _options.Topic,
                seed,
                _options.Rate,
                started,
                _timeProvider.GetUtcNow().UtcDateTime,
                _timeProvider.GetElapsedTime(startTimestamp, sendEnd).TotalSeconds);

            if (sink.FatalError is { } fatal)
            {
                _log?.WriteLine($"stopped early: {fatal}");
            }

            if (!_options.Quiet)
            {
                _log?.WriteLine(Summary(record));
            }

            if (_options.RecordPath is { } path)
            {
                await record.WriteAsync(path, CancellationToken.None).ConfigureAwait(false);
                if (!_options.Quiet)
                {
                    _log?.WriteLine($"record written to {Path.GetFullPath(path)}");
                }
            }

            return record;
        }
        finally
        {
            if (timer is not null)
            {
                await timer.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private void ThrowIfInvalid()
    {
        var errors = _options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid load generator options: " + string.Join("; ", errors), "options");
        }
    }

    /// <summary>The sending loop; returns the timestamp at which sending stopped.</summary>
    private long SendLoop(TrafficModel model, IEventSink sink, long startTimestamp, CancellationToken cancellationToken)
    {
        var schedule = new IncidentSchedule(_options.Incidents, model.Pages);
        var unlimited = _options.Rate <= 0;
        var bucket = new TokenBucket(_options.Rate, Burst, startTimestamp, _timeProvider.TimestampFrequency);
        var duration = _options.Duration;
        var remaining = _options.Count ?? long.MaxValue;
        var wait = cancellationToken.WaitHandle;

        while (remaining > 0 && !cancellationToken.IsCancellationRequested && sink.FatalError is null)
        {
            var now = _timeProvider.GetTimestamp();
            var elapsed = _timeProvider.GetElapsedTime(startTimestamp, now);
            if (duration > TimeSpan.Zero && elapsed >= duration)
            {
                break;
            }

            if (!schedule.IsEmpty && schedule.TryGetChange(elapsed, out var adjustment))
            {
                var factor = model.ApplyAdjustment(adjustment);
                Volatile.Write(ref _rateFactor, factor);
                bucket.SetRate(now, _options.Rate * factor);
            }

            int batch;
            if (unlimited)
            {
                batch = MaxBatch;
            }
            else
            {
                bucket.Refill(now);
                batch = bucket.Take(MaxBatch);
                if (batch == 0)
                {
                    var until = bucket.TimeUntilNextToken();
                    var sleepMs = until >= TimeSpan.FromMilliseconds(50) ? 50 : Math.Max(1, (int)Math.Ceiling(until.TotalMilliseconds));
                    wait.WaitOne(sleepMs);
                    continue;
                }
            }

            batch = (int)Math.Min(batch, remaining);
            for (var i = 0; i < batch; i++)
            {
                var generated = model.Next();
                while (!sink.TrySend(generated, Recorder))
                {
                    // The producer's queue is full: the broker is slower than the target rate. Back off briefly.
                    if (cancellationToken.IsCancellationRequested || sink.FatalError is not null)
                    {
                        return _timeProvider.GetTimestamp();
                    }

                    wait.WaitOne(1);
                }

                Recorder.RecordSent();
            }

            remaining -= batch;
        }

        return _timeProvider.GetTimestamp();
    }

    private static string Summary(SendRecord record)
    {
        var t = record.Totals;
        var rate = record.SendSeconds > 0 ? t.Delivered / record.SendSeconds : 0;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"done: run {record.RunId}, sent {t.Sent:N0}, delivered {t.Delivered:N0} ({rate:N0}/s over {record.SendSeconds:0.0} s), failed {t.Failed:N0}, unconfirmed {t.Unconfirmed:N0}; page views {t.PageViewsOnTime:N0}, other {t.OtherEvents:N0}, late {t.Late:N0}, malformed {t.Malformed:N0}");
    }

    /// <summary>Writes one progress line per interval.</summary>
    private sealed class Progress
    {
        private readonly LoadRunner _runner;
        private readonly long _startTimestamp;
        private long _lastSent;
        private long _lastTimestamp;

        public Progress(LoadRunner runner, long startTimestamp)
        {
            _runner = runner;
            _startTimestamp = startTimestamp;
            _lastTimestamp = startTimestamp;
        }

        public void Report()
        {
            var clock = _runner._timeProvider;
            var recorder = _runner.Recorder;
            var now = clock.GetTimestamp();
            var sent = recorder.Sent;
            var seconds = clock.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            var rate = seconds > 0 ? (sent - _lastSent) / seconds : 0;
            _lastSent = sent;
            _lastTimestamp = now;
            var elapsed = clock.GetElapsedTime(_startTimestamp, now);
            var factor = Volatile.Read(ref _runner._rateFactor);
            var incident = factor == 1.0 ? "" : string.Create(CultureInfo.InvariantCulture, $" | incident x{factor:0.##}");
            _runner._log?.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"[{elapsed.TotalSeconds,5:0}s] {rate,9:N0} sent/s | sent {sent,12:N0} | delivered {recorder.Delivered,12:N0} | failed {recorder.Failed:N0} | in flight {recorder.InFlight:N0}{incident}"));
        }
    }
}
