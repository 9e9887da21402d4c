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
    private readonly PartitionProgressTable _table = new();

    /// <inheritdoc />
    public Task ReportAsync(PartitionProgress[] progress)
    {
        _table.Report(progress, time.GetUtcNow().UtcDateTime);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<DateTime?> GetWatermarkAsync() =>
        Task.FromResult(_table.Watermark(time.GetUtcNow().UtcDateTime, WatermarkPolicy.From(options.Value)));
}
