using Analytics.Contracts.Watermarks;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// The pipeline watermark from per-partition progress (pure logic). A partition's watermark is its newest event
/// time minus the allowed lateness; the pipeline's is the minimum over active partitions. A partition that has
/// not produced a record (or not reported) for the idle timeout does not hold the others back.
/// </summary>
public static class WatermarkCalculator
{
    /// <summary>Returns the pipeline watermark, or null when no partition has seen an event.</summary>
    public static DateTime? Compute(IEnumerable<PartitionProgress> partitions, DateTime now, TimeSpan allowedLateness, TimeSpan idleTimeout)
    {
        DateTime? minActive = null;
        DateTime? maxAny = null;
        foreach (var p in partitions)
        {
            if (p.MaxEventTime is not { } maxEventTime) continue;
            // Clamped: an event time near DateTime.MinValue must not break the watermark for everyone.
            var watermark = maxEventTime.Ticks - DateTime.MinValue.Ticks > allowedLateness.Ticks ? maxEventTime - allowedLateness : DateTime.MinValue;
            if (maxAny is null || watermark > maxAny) maxAny = watermark;
            var idle = p.LastRecordAt is not { } last || now - last > idleTimeout || now - p.ReportedAt > idleTimeout;
            if (!idle && (minActive is null || watermark < minActive)) minActive = watermark;
        }
        // All partitions idle: nothing is holding the watermark back but the newest event seen anywhere.
        return minActive ?? maxAny;
    }
}
