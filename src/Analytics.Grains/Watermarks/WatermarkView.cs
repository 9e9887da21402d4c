namespace Analytics.Grains.Watermarks;

/// <summary>
/// This silo's cached view of the pipeline watermark, so page grains read it without a grain call.
/// It only moves forward.
/// </summary>
public sealed class WatermarkView
{
    private long _ticks;

    /// <summary>The watermark (UTC), or null until one is known.</summary>
    public DateTime? Current
    {
        get
        {
            var ticks = Interlocked.Read(ref _ticks);
            return ticks == 0 ? null : new DateTime(ticks, DateTimeKind.Utc);
        }
    }

    /// <summary>Advances the view to <paramref name="watermark"/> if it is newer.</summary>
    public void Advance(DateTime watermark)
    {
        var ticks = watermark.Ticks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _ticks);
            if (ticks <= seen) return;
        } while (Interlocked.CompareExchange(ref _ticks, ticks, seen) != seen);
    }
}
