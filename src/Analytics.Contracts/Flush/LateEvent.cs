using Analytics.Contracts.Events;

namespace Analytics.Contracts.Flush;

/// <summary>An event that arrived after its window became final, with the watermark that made it late.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.late-event.v1")]
public sealed record LateEvent
{
    /// <summary>The late event.</summary>
    [Id(0)] public required AnalyticsEvent Event { get; init; }

    /// <summary>The window (minute start) the event belongs to.</summary>
    [Id(1)] public required DateTime Minute { get; init; }

    /// <summary>The watermark in force when the event was judged late.</summary>
    [Id(2)] public required DateTime Watermark { get; init; }

    /// <summary>When the event was judged late (UTC wall clock).</summary>
    [Id(3)] public required DateTime DetectedAt { get; init; }
}
