using Analytics.Contracts.Flush;
using Analytics.Contracts.Pages;

namespace Analytics.Grains.Windows;

/// <summary>
/// Everything a page grain persists. Bounded: open windows are capped, final windows leave once ClickHouse
/// acknowledged them, recent snapshots and pending late events have caps.
/// </summary>
[GenerateSerializer]
[Alias("analytics.page-window-state.v1")]
public sealed class PageWindowState
{
    /// <summary>Highest Kafka offset applied per partition; anything at or below is a replay and skipped.</summary>
    [Id(0)] public Dictionary<int, long> AppliedOffsets { get; set; } = new();

    /// <summary>Open windows, oldest first.</summary>
    [Id(1)] public List<MinuteWindow> Open { get; set; } = [];

    /// <summary>Final rollups waiting for ClickHouse.</summary>
    [Id(2)] public List<PendingRollup> PendingRollups { get; set; } = [];

    /// <summary>Recently finalised windows for live reads, oldest first.</summary>
    [Id(3)] public List<WindowSnapshot> Recent { get; set; } = [];

    /// <summary>Late events not yet handed to a flush grain.</summary>
    [Id(4)] public List<LateEvent> PendingLateEvents { get; set; } = [];

    /// <summary>Windows ending at or before this instant are final in this grain.</summary>
    [Id(5)] public DateTime ClosedThrough { get; set; }

    /// <summary>Events applied since the state was created.</summary>
    [Id(6)] public long TotalEvents { get; set; }

    /// <summary>Late events seen since the state was created.</summary>
    [Id(7)] public long TotalLateEvents { get; set; }

    /// <summary>Late events counted but not kept for <c>late_events</c> because the pending list was full.</summary>
    [Id(8)] public long LateEventsNotRecorded { get; set; }

    /// <summary>The newest watermark this grain used.</summary>
    [Id(9)] public DateTime Watermark { get; set; }

    /// <summary>The page's anomaly detector (bounded: about ten minutes of per-second counts), or null when disabled.</summary>
    [Id(10)] public Anomalies.AnomalyMonitorState? Anomaly { get; set; }
}
