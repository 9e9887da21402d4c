using Analytics.Contracts.Watermarks;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Watermarks;

/// <summary>
/// Holds the latest progress of every partition and answers the pipeline watermark. Silos call it a few times
/// a second each (never per event). Its state is soft: receivers re-report within a refresh interval, so after a
/// restart it is rebuilt within a second, and a watermark never moves backwards in any silo's view.
/// </summary>
public sealed class WatermarkGrain(IOptions<PipelineOptions> options, TimeProvider time) : Grain, IWatermarkGrain
{
    private readonly Dictionary<int, PartitionProgress> _partitions = new();

    /// <inheritdoc />
    public Task ReportAsync(PartitionProgress[] progress)
    {
        foreach (var p in progress)
        {
            if (!_partitions.TryGetValue(p.Partition, out var known) || known.ReportedAt <= p.ReportedAt)
            {
                // Keep the newest event time ever seen: a partition that moved to another silo must not regress.
                var maxEventTime = Max(known?.MaxEventTime, p.MaxEventTime);
                _partitions[p.Partition] = p with { MaxEventTime = maxEventTime };
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<DateTime?> GetWatermarkAsync()
    {
        var o = options.Value;
        return Task.FromResult(WatermarkCalculator.Compute(_partitions.Values, time.GetUtcNow().UtcDateTime, o.AllowedLateness, o.IdlePartitionTimeout));
    }

    private static DateTime? Max(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
