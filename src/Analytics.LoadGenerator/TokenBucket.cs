namespace Analytics.LoadGenerator;

/// <summary>
/// A token bucket over a monotonic clock's timestamps: tokens accrue at <see cref="Rate"/> per second up to a burst
/// capacity; each sent event takes one. The rate may change at any time (incidents); accrual before the change
/// keeps the old rate.
/// </summary>
public sealed class TokenBucket
{
    private readonly double _burstSeconds;
    private readonly double _frequency;
    private long _last;
    private double _tokens;

    /// <summary>Creates an empty bucket.</summary>
    /// <param name="rate">Tokens per second (&gt;= 0).</param>
    /// <param name="burst">How much time's worth of tokens may pile up when the sender falls behind (at least one token).</param>
    /// <param name="startTimestamp">The clock's timestamp now (for example <see cref="TimeProvider.GetTimestamp"/>).</param>
    /// <param name="timestampFrequency">Timestamp ticks per second (<see cref="TimeProvider.TimestampFrequency"/>).</param>
    public TokenBucket(double rate, TimeSpan burst, long startTimestamp, long timestampFrequency)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timestampFrequency, 0);
        Rate = rate;
        _burstSeconds = burst.TotalSeconds;
        _frequency = timestampFrequency;
        _last = startTimestamp;
    }

    /// <summary>Tokens per second.</summary>
    public double Rate { get; private set; }

    /// <summary>Whole and fractional tokens available now (after the last <see cref="Refill"/>).</summary>
    public double Available => _tokens;

    /// <summary>Accrues tokens up to <paramref name="timestamp"/> at the current rate, then switches to <paramref name="rate"/>.</summary>
    public void SetRate(long timestamp, double rate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rate);
        Refill(timestamp);
        Rate = rate;
    }

    /// <summary>Accrues the tokens earned since the previous refill, capped at the burst capacity.</summary>
    public void Refill(long timestamp)
    {
        if (timestamp > _last)
        {
            var capacity = Math.Max(1.0, Rate * _burstSeconds);
            _tokens = Math.Min(capacity, _tokens + ((timestamp - _last) / _frequency * Rate));
            _last = timestamp;
        }
    }

    /// <summary>Takes up to <paramref name="max"/> whole tokens; returns how many were taken.</summary>
    public int Take(int max)
    {
        var taken = (int)Math.Min(max, Math.Floor(_tokens));
        if (taken > 0)
        {
            _tokens -= taken;
        }

        return taken;
    }

    /// <summary>How long until one whole token is available at the current rate; <see cref="TimeSpan.MaxValue"/> at rate 0.</summary>
    public TimeSpan TimeUntilNextToken()
    {
        if (_tokens >= 1)
        {
            return TimeSpan.Zero;
        }

        return Rate <= 0 ? TimeSpan.MaxValue : TimeSpan.FromSeconds((1 - _tokens) / Rate);
    }
}
