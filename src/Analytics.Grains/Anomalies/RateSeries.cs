namespace Analytics.Grains.Anomalies;

/// <summary>
/// Counts events per whole UTC second of their event time and hands each second over once it is complete.
/// </summary>
/// <remarks>
/// <para>
/// Why event time and not arrival time: events reach a grain in batches (one per poll, every ~250 ms) after a
/// transport delay that varies. Bucketing by arrival would make a second's count depend on how many batches
/// happened to land in it (3 or 5 instead of 4 is ±25 %, far more than the Poisson noise of a busy page), and
/// any pause of the consumer would show up as a drop followed by a spike. The event's own timestamp says when
/// the visitor did it, which is the traffic we want to watch, and an event a little out of order still lands
/// in its own second.
/// </para>
/// <para>
/// A second [s, s+1) is complete once the clock passed s + 1 + settle delay. The clock is whatever the caller
/// passes to <see cref="AdvanceTo"/>: normally the wall clock, so that a page whose traffic stops sees its
/// seconds complete with a count of zero (which is what makes drops visible). Only the seconds from the first
/// open one up to <see cref="OpenCapacity"/> ahead are held, in a ring, so memory is fixed; events for seconds
/// already complete are reported as <see cref="RecordOutcome.Late"/> and not counted, so that every second is
/// evaluated, and remembered in the baseline, exactly as it stood when it completed.
/// </para>
/// </remarks>
public sealed class RateSeries
{
    /// <summary>How many seconds can be open at once: the settle delay plus producers' clocks running ahead.</summary>
    public const int OpenCapacity = 64;

    // DateTime ticks are never negative, so dividing them floors; the epoch is a whole second.
    private static readonly long UnixEpochSecond = DateTime.UnixEpoch.Ticks / TimeSpan.TicksPerSecond;

    private readonly long[] _counts = new long[OpenCapacity];
    private readonly TimeSpan _settleDelay;
    private long? _firstOpen;

    /// <summary>Creates an empty series whose seconds complete <paramref name="settleDelay"/> after their end.</summary>
    public RateSeries(TimeSpan settleDelay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settleDelay, TimeSpan.Zero);
        _settleDelay = settleDelay;
    }

    /// <summary>The oldest second (Unix seconds) still open; <see langword="null"/> before the first clock or event.</summary>
    public long? FirstOpenSecond => _firstOpen;

    /// <summary>The whole UTC second (Unix seconds) that <paramref name="time"/> falls in.</summary>
    /// <remarks><see cref="DateTimeKind.Unspecified"/> is taken as UTC, as event timestamps are.</remarks>
    public static long SecondOf(DateTime time) => (ToUtc(time).Ticks / TimeSpan.TicksPerSecond) - UnixEpochSecond;

    /// <summary>The start of the second <paramref name="second"/> (Unix seconds) as a UTC time.</summary>
    public static DateTime StartOf(long second) => DateTime.UnixEpoch.AddSeconds(second);

    /// <summary>Counts <paramref name="count"/> events that happened at <paramref name="eventTime"/>.</summary>
    /// <returns>
    /// <see cref="RecordOutcome.Counted"/>, or <see cref="RecordOutcome.Late"/> when their second is already complete
    /// (nothing counted), or <see cref="RecordOutcome.TooFarAhead"/> when it is beyond the open seconds.
    /// </returns>
    public RecordOutcome Add(DateTime eventTime, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var second = SecondOf(eventTime);

        // Nothing has anchored the series yet: the first event opens its own second.
        _firstOpen ??= second;

        if (second < _firstOpen)
        {
            return RecordOutcome.Late;
        }

        if (second - _firstOpen >= OpenCapacity)
        {
            return RecordOutcome.TooFarAhead;
        }

        var slot = SlotOf(second);
        _counts[slot] = checked(_counts[slot] + count);
        return RecordOutcome.Counted;
    }

    /// <summary>
    /// Completes every open second that ended at least the settle delay before <paramref name="now"/>.
    /// Appends the completed seconds that hold events to <paramref name="completed"/> (oldest first; seconds
    /// without events are left out so that a long pause costs nothing) and returns the last completed second,
    /// or <see langword="null"/> when none has completed yet. A clock that goes back completes nothing.
    /// </summary>
    public long? AdvanceTo(DateTime now, ICollection<SecondCount> completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        var through = SecondOf(ToUtc(now) - _settleDelay) - 1;
        if (_firstOpen is not { } first)
        {
            _firstOpen = through + 1;
            return through;
        }

        if (through < first)
        {
            return first - 1;
        }

        // Only the first OpenCapacity seconds can hold counts; anything beyond them in a long gap is zero.
        var last = Math.Min(through, first + OpenCapacity - 1);
        for (var second = first; second <= last; second++)
        {
            var slot = SlotOf(second);
            if (_counts[slot] != 0)
            {
                completed.Add(new SecondCount(second, _counts[slot]));
                _counts[slot] = 0;
            }
        }

        _firstOpen = through + 1;
        return through;
    }

    /// <summary>Copies the open seconds out for persistence.</summary>
    public RateSeriesState Snapshot()
    {
        var length = OpenCapacity;
        while (length > 0 && CountAt(length - 1) == 0)
        {
            length--;
        }

        var counts = new long[length];
        for (var i = 0; i < length; i++)
        {
            counts[i] = CountAt(i);
        }

        return new RateSeriesState { FirstOpenSecond = _firstOpen, OpenCounts = counts };
    }

    /// <summary>Rebuilds a series from <see cref="Snapshot"/>'s output.</summary>
    public static RateSeries Restore(TimeSpan settleDelay, RateSeriesState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var series = new RateSeries(settleDelay) { _firstOpen = state.FirstOpenSecond };
        if (state.FirstOpenSecond is { } first)
        {
            var counts = state.OpenCounts ?? [];
            for (var i = 0; i < Math.Min(counts.Length, OpenCapacity); i++)
            {
                series._counts[series.SlotOf(first + i)] = Math.Max(0, counts[i]);
            }
        }

        return series;
    }

    private long CountAt(int offset) => _firstOpen is { } first ? _counts[SlotOf(first + offset)] : 0;

    private int SlotOf(long second) => (int)(((second % OpenCapacity) + OpenCapacity) % OpenCapacity);

    private static DateTime ToUtc(DateTime time) => time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time;
}
