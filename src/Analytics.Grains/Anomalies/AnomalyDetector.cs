using System.Globalization;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Decides, one completed second at a time, whether one scope's traffic (a page, or the whole site) has left its
/// normal range, and reports each incident exactly once when it starts and once when it ends.
/// </summary>
/// <remarks>
/// <para>
/// The current rate is the mean of the last <see cref="AnomalyOptions.EvaluationWindow"/> seconds (K). The
/// baseline is the <see cref="AnomalyOptions.Window"/> seconds before them, so a spike is never diluted into the
/// baseline it is measured against. z = (current - mean) / σ with σ the baseline's per-second standard
/// deviation. Because the current rate averages K seconds, its own noise is σ/√K, so "3σ" is really 3·√K
/// standard errors (6 with the default K = 4; a normal tail of 2e-9 per evaluated second): the margin that keeps
/// steady traffic silent, while a jump of 12σ crosses it in its first second and one of 6σ in its second.
/// </para>
/// <para>
/// σ is floored at √max(mean, current). With random (Poisson) arrivals the variance of a per-second count equals
/// its rate, so traffic steadier than that (a load generator at a fixed pace) cannot shrink σ towards 0 and turn
/// every wobble into an alert; and for a spike the noise of the larger, observed rate is the honest yardstick,
/// which tames Poisson's long right tail at small rates (a 5/s page sees bursts of 15 in 3 s far more often than
/// a normal curve says). Real, burstier traffic has σ above the floor and is unaffected.
/// <see cref="AnomalyOptions.MinStdDev"/> is the last resort for near-empty scopes.
/// </para>
/// <para>
/// The baseline is time-indexed: every second takes one slot. While an incident is open, the seconds leaving the
/// evaluation window are excluded from the baseline instead of being absorbed, so a long spike cannot raise the
/// mean it is compared with and end itself. After <see cref="AnomalyOptions.RebaselineAfter"/> they are absorbed
/// again: a lasting change of level becomes the new normal and the incident ends by itself.
/// An incident ends after <see cref="AnomalyOptions.EndAfter"/> consecutive calm seconds, and no new incident in
/// the same direction starts for <see cref="AnomalyOptions.Cooldown"/> after that. Nothing is raised until the
/// baseline holds <see cref="AnomalyOptions.WarmUp"/> seconds, nor while both the baseline mean and the current
/// rate are below <see cref="AnomalyOptions.MinRate"/>.
/// </para>
/// <para>
/// Everything is a deterministic function of the seconds fed in, in event time (the clock only stamps
/// <see cref="AnomalyEvent.DetectedAt"/>), so a replay after a crash yields the same incident ids. State is
/// bounded by Window + EvaluationWindow counts and round-trips through <see cref="AnomalyDetectorState"/>.
/// </para>
/// </remarks>
public sealed class AnomalyDetector
{
    private readonly string _page;
    private readonly double _threshold;
    private readonly double _minRate;
    private readonly double _minStdDev;
    private readonly int _warmUpSeconds;
    private readonly int _endAfterSeconds;
    private readonly long _cooldownSeconds;
    private readonly long _rebaselineAfterSeconds;

    private readonly RollingStatistics _baseline;
    private readonly long[] _recent;
    private int _recentNext;
    private int _recentCount;
    private long _recentSum;

    private long? _lastSecond;
    private IncidentState? _incident;
    private long? _spikeCooldownUntil;
    private long? _dropCooldownUntil;

    /// <summary>Creates a detector with an empty baseline.</summary>
    /// <param name="options">The settings; must pass <see cref="AnomalyOptionsValidator"/>.</param>
    /// <param name="scope">Page or site.</param>
    /// <param name="page">The page path for <see cref="AnomalyScope.Page"/>; ignored for the site.</param>
    /// <exception cref="ArgumentException">The options are invalid, or a page scope has no page.</exception>
    public AnomalyDetector(AnomalyOptions options, AnomalyScope scope, string? page)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = AnomalyOptionsValidator.Check(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        if (scope == AnomalyScope.Page && string.IsNullOrEmpty(page))
        {
            throw new ArgumentException("A page detector needs the page path.", nameof(page));
        }

        Scope = scope;
        _page = scope == AnomalyScope.Page ? page! : "";
        _threshold = options.Threshold;
        _minRate = options.MinRate;
        _minStdDev = options.MinStdDev;
        _warmUpSeconds = Math.Max(2, Seconds(options.WarmUp));
        _endAfterSeconds = Seconds(options.EndAfter);
        _cooldownSeconds = Seconds(options.Cooldown);
        _baseline = new RollingStatistics(Seconds(options.Window));
        _recent = new long[Seconds(options.EvaluationWindow)];

        // Excluded seconds shrink the time-indexed baseline; stop excluding before it falls below the warm-up.
        _rebaselineAfterSeconds = Math.Max(0, Math.Min(
            Seconds(options.RebaselineAfter), _baseline.Capacity - _warmUpSeconds - _recent.Length));
    }

    /// <summary>Page or site.</summary>
    public AnomalyScope Scope { get; }

    /// <summary>The page path; empty for the site.</summary>
    public string Page => _page;

    /// <summary>The last completed second fed in (Unix seconds); <see langword="null"/> before the first.</summary>
    public long? LastSecond => _lastSecond;

    /// <summary>Whether the baseline holds enough seconds for alerts (<see cref="AnomalyOptions.WarmUp"/>).</summary>
    public bool IsWarmedUp => _baseline.Count >= _warmUpSeconds && _recentCount == _recent.Length;

    /// <summary>How many seconds the baseline currently holds.</summary>
    public int BaselineSeconds => _baseline.Count;

    /// <summary>The evaluation of the last completed second, or <see langword="null"/> while warming up.</summary>
    public AnomalyReading? LastReading { get; private set; }

    /// <summary>The id of the open incident, or <see langword="null"/>.</summary>
    public string? OpenIncidentId => _incident?.Id;

    /// <summary>
    /// Feeds one completed second. Seconds must come in increasing order; seconds skipped since the previous call
    /// had no events and are fed as zeros first. Started and ended incidents are appended to
    /// <paramref name="events"/>, stamped with <paramref name="now"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="second"/> is not after <see cref="LastSecond"/>.</exception>
    public void Complete(long second, long count, DateTime now, ICollection<AnomalyEvent> events)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentNullException.ThrowIfNull(events);
        if (second <= _lastSecond)
        {
            throw new ArgumentOutOfRangeException(nameof(second), second, $"Seconds must increase; the last one was {_lastSecond}.");
        }

        FillZerosBefore(second, now, events);
        Step(second, Math.Min(count, RollingStatistics.MaxValue), now, events);
    }

    /// <summary>
    /// Declares every second up to <paramref name="second"/> complete: those not fed yet had no events. The first
    /// call on a new detector only anchors it there, since nothing is known about the traffic before.
    /// </summary>
    public void CompleteThrough(long second, DateTime now, ICollection<AnomalyEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (_lastSecond is null)
        {
            _lastSecond = second;
            return;
        }

        if (second > _lastSecond)
        {
            FillZerosBefore(second, now, events);
            Step(second, 0, now, events);
        }
    }

    /// <summary>Copies the state out for persistence.</summary>
    public AnomalyDetectorState Snapshot()
    {
        var recent = new long[_recentCount];
        for (var i = 0; i < _recentCount; i++)
        {
            recent[i] = _recent[(_recentNext - _recentCount + i + _recent.Length) % _recent.Length];
        }

        return new AnomalyDetectorState
        {
            LastSecond = _lastSecond,
            Baseline = _baseline.ToArray(),
            Recent = recent,
            Incident = _incident is null ? null : Copy(_incident),
            SpikeCooldownUntil = _spikeCooldownUntil,
            DropCooldownUntil = _dropCooldownUntil,
        };
    }

    /// <summary>
    /// Rebuilds a detector from <see cref="Snapshot"/>'s output. If the state does not fit the options (the window
    /// or evaluation window was changed, or the data is damaged) the statistics start over with a new warm-up;
    /// the open incident and cooldowns are kept.
    /// </summary>
    public static AnomalyDetector Restore(AnomalyOptions options, AnomalyScope scope, string? page, AnomalyDetectorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var detector = new AnomalyDetector(options, scope, page)
        {
            _lastSecond = state.LastSecond,
            _incident = state.Incident is null ? null : Copy(state.Incident),
            _spikeCooldownUntil = state.SpikeCooldownUntil,
            _dropCooldownUntil = state.DropCooldownUntil,
        };

        var baseline = state.Baseline ?? [];
        var recent = state.Recent ?? [];
        if (state.LastSecond is null || !Fits(baseline, recent, detector._baseline.Capacity, detector._recent.Length))
        {
            return detector;
        }

        foreach (var slot in baseline)
        {
            if (slot == RollingStatistics.ExcludedSlot)
            {
                detector._baseline.PushExcluded();
            }
            else
            {
                detector._baseline.Push(slot);
            }
        }

        foreach (var count in recent)
        {
            detector._recent[detector._recentNext] = count;
            detector._recentNext = (detector._recentNext + 1) % detector._recent.Length;
            detector._recentSum += count;
            detector._recentCount++;
        }

        return detector;
    }

    private void FillZerosBefore(long second, DateTime now, ICollection<AnomalyEvent> events)
    {
        if (_lastSecond is not { } last)
        {
            return;
        }

        // The baseline and evaluation window only remember Window + EvaluationWindow seconds, so after a longer
        // gap (say a grain reactivated hours later) only that many zeros change anything; incident and cooldown
        // deadlines are absolute seconds and come out the same.
        var memory = _baseline.Capacity + _recent.Length;
        for (var zero = Math.Max(last + 1, second - memory); zero < second; zero++)
        {
            Step(zero, 0, now, events);
        }
    }

    private void Step(long second, long count, DateTime now, ICollection<AnomalyEvent> events)
    {
        // The second leaving the evaluation window moves into the baseline, unless an open incident, still
        // younger than RebaselineAfter, keeps it out.
        if (_recentCount == _recent.Length)
        {
            var leaving = _recent[_recentNext];
            _recentSum -= leaving;
            if (_incident is { } incident && second - incident.StartSecond < _rebaselineAfterSeconds)
            {
                _baseline.PushExcluded();
            }
            else
            {
                _baseline.Push(leaving);
            }
        }
        else
        {
            _recentCount++;
        }

        _recent[_recentNext] = count;
        _recentSum += count;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _lastSecond = second;

        Evaluate(second, now, events);
    }

    private void Evaluate(long second, DateTime now, ICollection<AnomalyEvent> events)
    {
        AnomalyDirection? direction = null;
        if (IsWarmedUp)
        {
            var current = (double)_recentSum / _recent.Length;
            var mean = _baseline.Mean;
            var stdDev = Math.Max(Math.Max(_baseline.SampleStdDev, Math.Sqrt(Math.Max(mean, current))), _minStdDev);
            var z = (current - mean) / stdDev;
            LastReading = new AnomalyReading(second, current, mean, stdDev, z);

            if (Math.Abs(z) > _threshold && Math.Max(mean, current) >= _minRate)
            {
                direction = z > 0 ? AnomalyDirection.Spike : AnomalyDirection.Drop;
            }
        }
        else
        {
            LastReading = null;
        }

        if (_incident is { } incident)
        {
            Continue(incident, direction, second, now, events);
        }
        else if (direction is { } started && !IsCoolingDown(started, second))
        {
            Start(started, second, now, events);
        }
    }

    private void Start(AnomalyDirection direction, long second, DateTime now, ICollection<AnomalyEvent> events)
    {
        var reading = LastReading!.Value;
        var startedAt = RateSeries.StartOf(second);
        _incident = new IncidentState
        {
            Id = IncidentIdOf(startedAt),
            Direction = direction,
            StartSecond = second,
            PeakRate = reading.Rate,
            PeakZScore = reading.ZScore,
        };

        events.Add(new AnomalyStarted
        {
            IncidentId = _incident.Id,
            Scope = Scope,
            Page = _page,
            Direction = direction,
            StartedAt = startedAt,
            DetectedAt = ToUtc(now),
            ObservedRate = reading.Rate,
            BaselineMean = reading.BaselineMean,
            BaselineStdDev = reading.StdDev,
            ZScore = reading.ZScore,
        });
    }

    private void Continue(IncidentState incident, AnomalyDirection? direction, long second, DateTime now, ICollection<AnomalyEvent> events)
    {
        // Only a deviation the same way keeps the incident going; a swing the other way counts as calm for this
        // one, which then ends and lets the opposite incident start on its own terms.
        if (direction == incident.Direction)
        {
            incident.CalmSeconds = 0;
            var reading = LastReading!.Value;
            if (Math.Abs(reading.ZScore) > Math.Abs(incident.PeakZScore))
            {
                incident.PeakZScore = reading.ZScore;
                incident.PeakRate = reading.Rate;
            }

            return;
        }

        if (incident.CalmSeconds == 0)
        {
            incident.CalmSince = second;
        }

        incident.CalmSeconds++;
        if (incident.CalmSeconds < _endAfterSeconds)
        {
            return;
        }

        _incident = null;
        if (incident.Direction == AnomalyDirection.Spike)
        {
            _spikeCooldownUntil = second + _cooldownSeconds;
        }
        else
        {
            _dropCooldownUntil = second + _cooldownSeconds;
        }

        events.Add(new AnomalyEnded
        {
            IncidentId = incident.Id,
            Scope = Scope,
            Page = _page,
            Direction = incident.Direction,
            StartedAt = RateSeries.StartOf(incident.StartSecond),
            DetectedAt = ToUtc(now),
            EndedAt = RateSeries.StartOf(incident.CalmSince),
            PeakRate = incident.PeakRate,
            PeakZScore = incident.PeakZScore,
        });
    }

    private bool IsCoolingDown(AnomalyDirection direction, long second) =>
        (direction == AnomalyDirection.Spike ? _spikeCooldownUntil : _dropCooldownUntil) is { } until && second < until;

    private string IncidentIdOf(DateTime startedAt)
    {
        var stamp = startedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return Scope == AnomalyScope.Site ? $"site:{stamp}" : $"page:{stamp}:{_page}";
    }

    private static bool Fits(long[] baseline, long[] recent, int window, int evaluation)
    {
        if (baseline.Length != window || recent.Length > evaluation)
        {
            return false;
        }

        // The evaluation window fills before anything reaches the baseline; a partly filled one next to a used
        // baseline means the evaluation window was resized.
        var baselineUsed = false;
        foreach (var slot in baseline)
        {
            if (slot < RollingStatistics.ExcludedSlot || slot > RollingStatistics.MaxValue)
            {
                return false;
            }

            baselineUsed |= slot != RollingStatistics.ExcludedSlot;
        }

        return (recent.Length == evaluation || !baselineUsed)
            && recent.All(count => count is >= 0 and <= RollingStatistics.MaxValue);
    }

    private static IncidentState Copy(IncidentState incident) => new()
    {
        Id = incident.Id,
        Direction = incident.Direction,
        StartSecond = incident.StartSecond,
        PeakRate = incident.PeakRate,
        PeakZScore = incident.PeakZScore,
        CalmSeconds = incident.CalmSeconds,
        CalmSince = incident.CalmSince,
    };

    private static int Seconds(TimeSpan value) => (int)(value.Ticks / TimeSpan.TicksPerSecond);

    private static DateTime ToUtc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Local => time.ToUniversalTime(),
        DateTimeKind.Unspecified => DateTime.SpecifyKind(time, DateTimeKind.Utc),
        _ => time,
    };
}
