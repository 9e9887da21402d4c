using Microsoft.Extensions.Options;

namespace Analytics.Silo.Hosting;

/// <summary>How the silo joins its cluster and where it keeps grain state (configuration section <c>Silo</c>).</summary>
public sealed class SiloHostOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Silo";

    /// <summary>The cluster id; silos with the same id form one cluster. Defaults to <c>analytics</c>.</summary>
    public string ClusterId { get; set; } = "analytics";

    /// <summary>The service id; stable across deployments (it keys grain state). Defaults to <c>analytics</c>.</summary>
    public string ServiceId { get; set; } = "analytics";

    /// <summary><c>Localhost</c> (dev, one machine) or <c>AdoNet</c> (PostgreSQL membership table). Defaults to <c>Localhost</c>.</summary>
    public string Clustering { get; set; } = "Localhost";

    /// <summary><c>Memory</c> (state lost with the silo) or <c>AdoNet</c> (PostgreSQL). Defaults to <c>Memory</c>.</summary>
    public string Persistence { get; set; } = "Memory";

    /// <summary>Silo-to-silo port. Defaults to 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port. Defaults to 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>With <c>Localhost</c> clustering: the silo port of the primary silo. Defaults to 11111.</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>The address advertised to other silos; empty means loopback. Defaults to empty.</summary>
    public string AdvertisedIPAddress { get; set; } = "";

    /// <summary>Batch containers delivered to a grain per call. Defaults to 64.</summary>
    public int BatchContainerBatchSize { get; set; } = 64;

    /// <summary>How often each pulling agent polls its queue when idle. Defaults to 100 ms.</summary>
    public TimeSpan QueuePollPeriod { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a pulling agent remembers a stream without events (Orleans' <c>StreamInactivityPeriod</c>; a stream
    /// seen again later is registered again, one cheap look-up with implicit subscriptions). Every session id is
    /// a stream, thousands a second: Orleans' default of 30 minutes kept them all in memory and made every poll
    /// scan them. Defaults to 1 minute.
    /// </summary>
    public TimeSpan StreamInactivityPeriod { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Stops start-up with a message naming the offending <c>Silo</c> setting.</summary>
public sealed class SiloHostOptionsValidator : IValidateOptions<SiloHostOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SiloHostOptions o)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(o.ClusterId)) failures.Add("Silo:ClusterId is required.");
        if (string.IsNullOrWhiteSpace(o.ServiceId)) failures.Add("Silo:ServiceId is required.");
        if (o.Clustering is not ("Localhost" or "AdoNet")) failures.Add($"Silo:Clustering must be 'Localhost' or 'AdoNet', was '{o.Clustering}'.");
        if (o.Persistence is not ("Memory" or "AdoNet")) failures.Add($"Silo:Persistence must be 'Memory' or 'AdoNet', was '{o.Persistence}'.");
        if (o.SiloPort is < 1 or > 65535) failures.Add($"Silo:SiloPort must be a TCP port, was {o.SiloPort}.");
        if (o.GatewayPort is < 1 or > 65535) failures.Add($"Silo:GatewayPort must be a TCP port, was {o.GatewayPort}.");
        if (o.BatchContainerBatchSize is < 1 or > 10_000) failures.Add($"Silo:BatchContainerBatchSize must be between 1 and 10000, was {o.BatchContainerBatchSize}.");
        if (o.QueuePollPeriod <= TimeSpan.Zero) failures.Add($"Silo:QueuePollPeriod must be positive, was {o.QueuePollPeriod}.");
        if (o.StreamInactivityPeriod < TimeSpan.FromSeconds(10)) failures.Add($"Silo:StreamInactivityPeriod must be at least 10 seconds, was {o.StreamInactivityPeriod}.");
        if (o.AdvertisedIPAddress.Length > 0 && !System.Net.IPAddress.TryParse(o.AdvertisedIPAddress, out _))
            failures.Add($"Silo:AdvertisedIPAddress must be an IP address, was '{o.AdvertisedIPAddress}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
