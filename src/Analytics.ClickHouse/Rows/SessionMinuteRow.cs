namespace Analytics.ClickHouse.Rows;

/// <summary>
/// Site-wide session statistics of one minute for <c>sessions_1m</c> (ReplacingMergeTree keyed by minute: the
/// highest <see cref="Version"/> wins).
/// </summary>
public sealed record SessionMinuteRow
{
    /// <summary>The minute start (UTC).</summary>
    public required DateTime Minute { get; init; }

    /// <summary>Sessions with at least one event in the minute.</summary>
    public long ActiveSessions { get; init; }

    /// <summary>Sessions that started in the minute.</summary>
    public long NewSessions { get; init; }

    /// <summary>Sessions that closed in the minute.</summary>
    public long ClosedSessions { get; init; }

    /// <summary>Average duration in milliseconds of the sessions that closed in the minute.</summary>
    public double AvgDurationMs { get; init; }

    /// <summary>Share (0..1) of the sessions closed in the minute that were bounces.</summary>
    public double BounceRate { get; init; }

    /// <summary>The row version: a higher version replaces a lower one for the same minute.</summary>
    public required ulong Version { get; init; }
}
