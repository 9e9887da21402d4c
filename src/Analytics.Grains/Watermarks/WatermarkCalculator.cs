using Analytics.Contracts.Watermarks;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// The pipeline watermark from per-partition progress (pure logic). A partition's watermark is its newest event
/// time minus the allowed lateness; the pipeline's is the minimum over the partitions that hold it:
/// <list type="bullet">
/// <item>a reported partition holds it unless it had no record for the idle timeout (its reader polls and finds
/// nothing: genuinely idle);</item>
/// <item>an unreported partition (its silo died, nobody reads it yet) holds it at its last known position, however
/// long ago its last record was: its unread records replay later and must not find their windows final;</item>
/// <item>a partition unreported for longer than the hold is forgotten, so one nobody will read again cannot stop the
/// watermark for good.</item>
/// </list>
/// All times are on one clock: the watermark grain re-stamps reports on arrival.
/// </summary>
public static class WatermarkCalculator
{
    /// <summary>Returns the pipeline watermark, or null when no partition has seen an event.</summary>
    public static DateTime? Compute(IEnumerable<PartitionProgress> partitions, DateTime now, WatermarkPolicy policy)
    {
        DateTime? minHolding = null;
        DateTime? maxAny = null;
        foreach (var p in partitions)
        {
            if (p.MaxEventTime is not { } maxEventTime) continue;
            // Clamped: an event time near DateTime.MinValue must not break the watermark for everyone.
            var watermark = maxEventTime.Ticks - DateTime.MinValue.Ticks > policy.AllowedLateness.Ticks ? maxEventTime - policy.AllowedLateness : DateTime.MinValue;
            if (maxAny is null || watermark > maxAny) maxAny = watermark;
            if (Holds(p, now, policy) && (minHolding is null || watermark < minHolding)) minHolding = watermark;
        }
        // No partition holds: nothing is holding the watermark back but the newest event seen anywhere.
        return minHolding ?? maxAny;
    }

    /// <summary>Whether <paramref name="p"/> holds the pipeline watermark at its own.</summary>
    public static bool Holds(PartitionProgress p, DateTime now, WatermarkPolicy policy)
    {
        var silentFor = now - p.ReportedAt;
        if (silentFor > policy.UnreportedHold) return false;
        if (silentFor > policy.ReportTimeout) return true;
        return p.LastRecordAt is { } last && now - last <= policy.IdleTimeout;
    }
}
