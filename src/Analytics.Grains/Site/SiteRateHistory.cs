namespace Analytics.Grains.Site;

/// <summary>
/// Per-second site counts for the dashboard's last-minute series: a ring of <see cref="Capacity"/> slots indexed
/// by second, each remembering which second it holds, so a slot reused for a newer second reads as empty for the
/// old one. The site detector only accepts seconds up to <see cref="Anomalies.RateSeries.OpenCapacity"/> ahead of
/// the last complete one and the series reads 60 behind it, so 128 slots never collide.
/// </summary>
public sealed class SiteRateHistory
{
    /// <summary>The number of slots.</summary>
    public const int Capacity = 128;

    private readonly long[] _seconds = new long[Capacity];
    private readonly long[] _counts = new long[Capacity];

    /// <summary>Creates an empty history.</summary>
    public SiteRateHistory()
    {
        Array.Fill(_seconds, long.MinValue);
    }

    /// <summary>Adds <paramref name="count"/> events to <paramref name="second"/> (Unix seconds).</summary>
    public void Add(long second, long count)
    {
        var slot = SlotOf(second);
        if (_seconds[slot] != second)
        {
            _seconds[slot] = second;
            _counts[slot] = 0;
        }

        _counts[slot] += count;
    }

    /// <summary>The events counted for <paramref name="second"/>, 0 when none (or the slot has moved on).</summary>
    public long Get(long second)
    {
        var slot = SlotOf(second);
        return _seconds[slot] == second ? _counts[slot] : 0;
    }

    /// <summary>Copies the slots out for persistence.</summary>
    public (long[] Seconds, long[] Counts) Snapshot() => ([.. _seconds], [.. _counts]);

    /// <summary>Rebuilds a history from <see cref="Snapshot"/>'s output; anything malformed is left out.</summary>
    public static SiteRateHistory Restore(long[]? seconds, long[]? counts)
    {
        var history = new SiteRateHistory();
        if (seconds is null || counts is null || seconds.Length != counts.Length)
        {
            return history;
        }

        for (var i = 0; i < seconds.Length; i++)
        {
            if (seconds[i] != long.MinValue && counts[i] > 0)
            {
                history.Add(seconds[i], counts[i]);
            }
        }

        return history;
    }

    private static int SlotOf(long second) => (int)(((second % Capacity) + Capacity) % Capacity);
}
