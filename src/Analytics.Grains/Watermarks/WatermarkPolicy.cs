namespace Analytics.Grains.Watermarks;

/// <summary>The settings <see cref="WatermarkCalculator"/> works with, taken from <see cref="PipelineOptions"/>.</summary>
/// <param name="AllowedLateness">How far a partition's watermark trails its newest event time.</param>
/// <param name="IdleTimeout">A reported partition without a record for longer than this does not hold the watermark.</param>
/// <param name="ReportTimeout">A partition last reported longer ago than this is unreported: it holds the watermark.</param>
/// <param name="UnreportedHold">An unreported partition is forgotten after this long without a report.</param>
public readonly record struct WatermarkPolicy(TimeSpan AllowedLateness, TimeSpan IdleTimeout, TimeSpan ReportTimeout, TimeSpan UnreportedHold)
{
    /// <summary>The policy of <paramref name="options"/>.</summary>
    public static WatermarkPolicy From(PipelineOptions options) =>
        new(options.AllowedLateness, options.IdlePartitionTimeout, options.PartitionReportTimeout, options.EffectiveUnreportedPartitionHold);
}
