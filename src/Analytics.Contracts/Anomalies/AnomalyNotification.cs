namespace Analytics.Contracts.Anomalies;

/// <summary>An anomaly incident's start or end, as published to live subscribers and kept in the recent feed.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.anomaly-notification.v1")]
public sealed record AnomalyNotification
{
    /// <summary>Identifies the incident; the same in its start and end notifications.</summary>
    [Id(0)] public required string IncidentId { get; init; }

    /// <summary><c>started</c> or <c>ended</c>.</summary>
    [Id(1)] public required string Kind { get; init; }

    /// <summary><c>page</c> or <c>site</c>.</summary>
    [Id(2)] public required string Scope { get; init; }

    /// <summary>The page path; empty for the site scope.</summary>
    [Id(3)] public string Page { get; init; } = "";

    /// <summary><c>spike</c> or <c>drop</c>.</summary>
    [Id(4)] public required string Direction { get; init; }

    /// <summary>The second (UTC, event time) the incident started.</summary>
    [Id(5)] public required DateTime StartedAt { get; init; }

    /// <summary>When it was detected (UTC wall clock).</summary>
    [Id(6)] public required DateTime DetectedAt { get; init; }

    /// <summary>The rate that tripped the threshold, events per second (for an end: the peak rate).</summary>
    [Id(7)] public double ObservedRate { get; init; }

    /// <summary>The baseline mean, events per second.</summary>
    [Id(8)] public double BaselineMean { get; init; }

    /// <summary>The baseline standard deviation used for the z-score.</summary>
    [Id(9)] public double BaselineStdDev { get; init; }

    /// <summary>The z-score (for an end: the peak z-score).</summary>
    [Id(10)] public double ZScore { get; init; }

    /// <summary>When the incident ended (UTC, event time), for <c>ended</c> notifications.</summary>
    [Id(11)] public DateTime? EndedAt { get; init; }
}
