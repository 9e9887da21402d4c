using Analytics.Contracts.Events;

namespace Analytics.Grains.Parsing;

/// <summary>The outcome of parsing one raw event: the event, or the reason it is malformed.</summary>
public readonly record struct EventParseResult(AnalyticsEvent? Event, string? Error)
{
    /// <summary>Whether parsing succeeded.</summary>
    public bool IsSuccess => Event is not null;

    internal static EventParseResult Fail(string error) => new(null, error);
}
