using Analytics.Contracts.Flush;

namespace Analytics.Grains.Windows;

/// <summary>A final rollup that ClickHouse has not acknowledged yet.</summary>
[GenerateSerializer]
[Alias("analytics.pending-rollup.v1")]
public sealed class PendingRollup
{
    /// <summary>The rollup.</summary>
    [Id(0)] public required PageMinuteRollup Rollup { get; set; }

    /// <summary>When it was last handed to a flush grain, or null if not yet.</summary>
    [Id(1)] public DateTime? HandedOverAt { get; set; }
}
