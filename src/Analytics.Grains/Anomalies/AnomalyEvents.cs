namespace Analytics.Grains.Anomalies;

/// <summary>What a detector reports about one incident: its start or its end.</summary>
/// <remarks>
/// Times named <c>...At</c> that end in a second (<see cref="StartedAt"/>, <see cref="AnomalyEnded.EndedAt"/>) are
/// event time: the start of a whole UTC second. <see cref="DetectedAt"/> is the detector's clock when it decided.
/// </remarks>
public abstract record AnomalyEvent
{
    /// <summary>
    /// Identifies the incident, the same in its start and its end, and the same when the same input is replayed:
    /// <c>page:{start second}:{page}</c> or <c>site:{start second}</c>, the second as <c>yyyyMMddTHHmmssZ</c>.
    /// </summary>
    public required string IncidentId { get; init; }

    /// <summary>Whether a page or the whole site is affected.</summary>
    public required AnomalyScope Scope { get; init; }

    /// <summary>The page path; empty for <see cref="AnomalyScope.Site"/>.</summary>
    public required string Page { get; init; }

    /// <summary>Spike or drop.</summary>
    public required AnomalyDirection Direction { get; init; }

    /// <summary>The second whose evaluation window first deviated beyond the threshold (UTC, event time).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>When the detector raised this event (UTC, the clock given to it).</summary>
    public required DateTime DetectedAt { get; init; }
}

/// <summary>An incident has started.</summary>
public sealed record AnomalyStarted : AnomalyEvent
{
    /// <summary>The current rate that tripped the threshold: mean events per second over the evaluation window.</summary>
    public required double ObservedRate { get; init; }

    /// <summary>The baseline mean, events per second.</summary>
    public required double BaselineMean { get; init; }

    /// <summary>
    /// The standard deviation the z-score was divided by: the baseline's sample standard deviation, raised to the
    /// Poisson floor when traffic is steadier than random arrivals (see <see cref="AnomalyDetector"/>).
    /// </summary>
    public required double BaselineStdDev { get; init; }

    /// <summary>(<see cref="ObservedRate"/> - <see cref="BaselineMean"/>) / <see cref="BaselineStdDev"/>.</summary>
    public required double ZScore { get; init; }
}

/// <summary>An incident is over: the rate has been back within the threshold for the configured time.</summary>
public sealed record AnomalyEnded : AnomalyEvent
{
    /// <summary>The first second of the calm run that ended the incident (UTC, event time).</summary>
    public required DateTime EndedAt { get; init; }

    /// <summary>The rate at the incident's most extreme z-score, events per second.</summary>
    public required double PeakRate { get; init; }

    /// <summary>The incident's most extreme z-score (negative for a drop).</summary>
    public required double PeakZScore { get; init; }

    /// <summary>How long the incident lasted in event time.</summary>
    public TimeSpan Duration => EndedAt - StartedAt;
}
