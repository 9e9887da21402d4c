using Microsoft.Extensions.Options;

namespace Analytics.Grains.Sessions;

/// <summary>Session settings (configuration section <c>Sessions</c>).</summary>
public sealed class SessionOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Sessions";

    /// <summary>The most shards <see cref="Shards"/> may be set to.</summary>
    public const int MaxShards = 4096;

    /// <summary>
    /// Session shards: each session id belongs to one shard grain (by a stable hash), which holds that shard's open
    /// sessions, so an event costs no grain activation or stream subscription of its own. Fixed for a deployment:
    /// changing it moves sessions to other shards while their stored state stays in the old ones. Defaults to 64.
    /// </summary>
    public int Shards { get; set; } = 64;

    /// <summary>
    /// With durable persistence, a session with no event for this long (wall-clock time) leaves its shard's memory;
    /// it is stored, and read back when its next event comes. Defaults to 1 minute.
    /// </summary>
    public TimeSpan MemoryIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Most sessions one shard keeps in memory; beyond it the least recently active leave first (with durable
    /// persistence they are stored; in Memory mode they are lost, and counted). Defaults to 100,000.
    /// </summary>
    public int MaxSessionsInMemory { get; set; } = 100_000;

    /// <summary>
    /// How long a closed session is remembered (from its last event), so that its id coming back starts a new
    /// generation (<c>id#2</c>) instead of overwriting the closed row. Defaults to 1 hour.
    /// </summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often a shard closes sessions the watermark has passed and releases memory. Defaults to 5 s.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With durable persistence, how often a shard looks in the store for sessions that left memory and are due to
    /// close (or whose tombstone is due to go). Defaults to 30 s.
    /// </summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromSeconds(30);

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
        if (o.Shards is < 1 or > SessionOptions.MaxShards) failures.Add($"Sessions:Shards must be between 1 and {SessionOptions.MaxShards}, was {o.Shards}.");
        if (o.MemoryIdleTimeout < TimeSpan.FromSeconds(1)) failures.Add($"Sessions:MemoryIdleTimeout must be at least 1 s, was {o.MemoryIdleTimeout}.");
        if (o.MaxSessionsInMemory < 100) failures.Add($"Sessions:MaxSessionsInMemory must be at least 100, was {o.MaxSessionsInMemory}.");
        if (o.TombstoneRetention < TimeSpan.Zero) failures.Add($"Sessions:TombstoneRetention must not be negative, was {o.TombstoneRetention}.");
        if (o.MaintenanceInterval < TimeSpan.FromMilliseconds(100)) failures.Add($"Sessions:MaintenanceInterval must be at least 100 ms, was {o.MaintenanceInterval}.");
        if (o.ExpiryScanInterval < TimeSpan.FromSeconds(1)) failures.Add($"Sessions:ExpiryScanInterval must be at least 1 s, was {o.ExpiryScanInterval}.");
        if (o.RowFlushInterval <= TimeSpan.Zero) failures.Add($"Sessions:RowFlushInterval must be positive, was {o.RowFlushInterval}.");
        if (o.RollupInterval < TimeSpan.FromSeconds(1)) failures.Add($"Sessions:RollupInterval must be at least 1 s, was {o.RollupInterval}.");
        if (o.RollupLookback < TimeSpan.FromMinutes(1)) failures.Add($"Sessions:RollupLookback must be at least 1 minute, was {o.RollupLookback}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
