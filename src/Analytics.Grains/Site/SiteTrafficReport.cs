namespace Analytics.Grains.Site;

/// <summary>
/// One silo's partial per-second event counts since its previous report, sent to the site traffic grain.
/// <see cref="Sequence"/> increases by one per report of a <see cref="Sender"/>, so a report retried after a
/// timeout (which may have landed) is applied once.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("analytics.site-traffic-report.v1")]
public sealed record SiteTrafficReport
{
    /// <summary>Identifies the reporting process (silo name and a per-start id), so a restarted silo starts afresh.</summary>
    [Id(0)] public required string Sender { get; init; }

    /// <summary>1 for the sender's first report, then +1 per report.</summary>
    [Id(1)] public required long Sequence { get; init; }

    /// <summary>The counts, one per second that had events (Unix seconds, UTC, event time).</summary>
    [Id(2)] public required SiteSecondCount[] Counts { get; init; }
}

/// <summary>How many events one silo saw for one second of event time.</summary>
/// <param name="Second">The second, as Unix seconds (UTC).</param>
/// <param name="Count">The number of events.</param>
[GenerateSerializer, Immutable]
[Alias("analytics.site-second-count.v1")]
public readonly record struct SiteSecondCount([property: Id(0)] long Second, [property: Id(1)] long Count);
