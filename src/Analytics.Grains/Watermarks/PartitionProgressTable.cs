using Analytics.Contracts.Watermarks;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// The watermark grain's latest progress of every partition (pure logic): reports from all silos, on the grain's
/// clock, merged so a partition's new owner replaces its previous one without moving its position back.
/// </summary>
public sealed class PartitionProgressTable
{
    private readonly Dictionary<int, PartitionProgress> _partitions = new();

    /// <summary>The known partitions, stamped on the table's clock.</summary>
    public IReadOnlyCollection<PartitionProgress> Partitions => _partitions.Values;

    /// <summary>Takes a silo's report, received at <paramref name="receivedAt"/> (the table's clock).</summary>
    public void Report(IEnumerable<PartitionProgress> progress, DateTime receivedAt)
    {
        foreach (var p in progress)
        {
            _partitions.TryGetValue(p.Partition, out var known);
            // Re-stamped on this clock: whether a partition is still reported is judged against one clock, so a
            // reporting silo's skew cannot make a live partition look unreported or a dead one look reported. The
            // newest report to arrive wins: a partition's new owner replaces the entry its dead owner left.
            var shift = receivedAt - p.ReportedAt;
            _partitions[p.Partition] = p with
            {
                // The newest event time ever seen: a partition that moved to another silo must not regress.
                MaxEventTime = Max(known?.MaxEventTime, p.MaxEventTime),
                LastRecordAt = p.LastRecordAt + shift,
                ReportedAt = receivedAt,
            };
        }
    }

    /// <summary>The pipeline watermark at <paramref name="now"/>; see <see cref="WatermarkCalculator"/>.</summary>
    public DateTime? Watermark(DateTime now, WatermarkPolicy policy) => WatermarkCalculator.Compute(_partitions.Values, now, policy);

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
