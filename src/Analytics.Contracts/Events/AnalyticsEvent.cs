namespace Analytics.Contracts.Events;

/// <summary>
/// A well-formed analytics event as it travels from the Kafka receiver to page and session grains.
/// </summary>
/// <remarks>
/// The JSON contract is the seed's shape (see DESIGN.md); this type is what survived parsing and validation.
/// <see cref="Partition"/> and <see cref="Offset"/> identify the Kafka record, so grains can skip replays.
/// </remarks>
[GenerateSerializer, Immutable]
[Alias("analytics.event.v1")]
public sealed record AnalyticsEvent
{
    /// <summary>The event type, e.g. <c>page_view</c> or <c>click</c>.</summary>
    [Id(0)] public required string EventType { get; init; }

    /// <summary>The page path the event belongs to. Never empty.</summary>
    [Id(1)] public required string Page { get; init; }

    /// <summary>The visitor id, or an empty string when the event carried none.</summary>
    [Id(2)] public string UserId { get; init; } = "";

    /// <summary>The session id, or an empty string when the event carried none.</summary>
    [Id(3)] public string SessionId { get; init; } = "";

    /// <summary>The event time (UTC), from the event's <c>timestamp</c> field.</summary>
    [Id(4)] public required DateTime Timestamp { get; init; }

    /// <summary>The optional referrer.</summary>
    [Id(5)] public string Referrer { get; init; } = "";

    /// <summary>The optional duration in milliseconds (time on page), 0 when absent.</summary>
    [Id(6)] public uint DurationMs { get; init; }

    /// <summary>The optional user agent.</summary>
    [Id(7)] public string UserAgent { get; init; } = "";

    /// <summary>The optional country code.</summary>
    [Id(8)] public string Country { get; init; } = "";

    /// <summary>The Kafka partition the event was read from.</summary>
    [Id(9)] public int Partition { get; init; }

    /// <summary>The Kafka offset of the record within <see cref="Partition"/>.</summary>
    [Id(10)] public long Offset { get; init; }

    /// <summary>The Kafka record timestamp (UTC): when the producer sent it. Used for end-to-end latency.</summary>
    [Id(11)] public DateTime ProducedAt { get; init; }

    /// <summary>Whether this event counts as a page view.</summary>
    public bool IsPageView => EventType == EventTypes.PageView;
}
