using Microsoft.Extensions.Options;

namespace Analytics.Grains.Sessions;

/// <summary>Session settings (configuration section <c>Sessions</c>).</summary>
public sealed class SessionOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Sessions";

    /// <summary>A session closes after this long without events (event time). Defaults to 30 minutes.</summary>
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Distinct recent pages kept per session. Defaults to 20.</summary>
    public int MaxRecentPages { get; set; } = 20;

    /// <summary>How often buffered session rows are written to <c>analytics.sessions</c>. Defaults to 2 s.</summary>
    public TimeSpan RowFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often <c>analytics.sessions_1m</c> is recomputed. Defaults to 30 s.</summary>
    public TimeSpan RollupInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How far back each <c>sessions_1m</c> recomputation reaches. Defaults to 2 hours.</summary>
    public TimeSpan RollupLookback { get; set; } = TimeSpan.FromHours(2);
}

/// <summary>Stops start-up with a message naming the offending <c>Sessions</c> setting.</summary>
public sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SessionOptions o)
    {
        var failures = new List<string>();
        if (o.InactivityTimeout < TimeSpan.FromSeconds(1) || o.InactivityTimeout > TimeSpan.FromDays(1))
            failures.Add($"Sessions:InactivityTimeout must be between 1 s and 1 day, was {o.InactivityTimeout}.");
        if (o.MaxRecentPages is < 1 or > 1000) failures.Add($"Sessions:MaxRecentPages must be between 1 and 1000, was {o.MaxRecentPages}.");
        if (o.RowFlushInterval <= TimeSpan.Zero) failures.Add($"Sessions:RowFlushInterval must be positive, was {o.RowFlushInterval}.");
        if (o.RollupInterval < TimeSpan.FromSeconds(1)) failures.Add($"Sessions:RollupInterval must be at least 1 s, was {o.RollupInterval}.");
        if (o.RollupLookback < TimeSpan.FromMinutes(1)) failures.Add($"Sessions:RollupLookback must be at least 1 minute, was {o.RollupLookback}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
