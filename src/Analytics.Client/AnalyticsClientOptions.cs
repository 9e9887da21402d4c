using Microsoft.Extensions.Options;

namespace Analytics.Client;

/// <summary>How <see cref="AnalyticsClient"/> finds the cluster (configuration section <c>AnalyticsClient</c>).</summary>
public sealed class AnalyticsClientOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "AnalyticsClient";

    /// <summary>The ADO.NET invariant name of PostgreSQL's provider (Npgsql).</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>How gateways are found. Defaults to <see cref="ClusterDiscovery.Localhost"/>.</summary>
    public ClusterDiscovery Clustering { get; set; } = ClusterDiscovery.Localhost;

    /// <summary>
    /// With <see cref="ClusterDiscovery.Localhost"/>: the gateway ports of the silos on 127.0.0.1. Defaults to
    /// <c>[30000]</c> when empty (the dev silo's gateway).
    /// </summary>
    public int[] GatewayPorts { get; set; } = [];

    /// <summary>The cluster id; must match the silos' <c>Silo:ClusterId</c>. Defaults to <c>analytics</c>.</summary>
    public string ClusterId { get; set; } = "analytics";

    /// <summary>The service id; must match the silos' <c>Silo:ServiceId</c>. Defaults to <c>analytics</c>.</summary>
    public string ServiceId { get; set; } = "analytics";

    /// <summary>
    /// With <see cref="ClusterDiscovery.AdoNet"/>: the connection string of the membership database (a secret:
    /// never logged). Defaults to empty.
    /// </summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>With <see cref="ClusterDiscovery.AdoNet"/>: the ADO.NET invariant. Defaults to <c>Npgsql</c> (the only one registered).</summary>
    public string Invariant { get; set; } = PostgresInvariant;

    /// <summary>How long <see cref="AnalyticsClient.ConnectAsync"/> keeps trying to reach a gateway. Defaults to 30 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one query may take before it fails. Defaults to 10 s.</summary>
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The effective gateway ports (<see cref="GatewayPorts"/>, or 30000 when empty).</summary>
    public IReadOnlyList<int> EffectiveGatewayPorts => GatewayPorts.Length > 0 ? GatewayPorts : [30000];

    /// <summary>A description for logs, without the connection string.</summary>
    public override string ToString() => Clustering == ClusterDiscovery.AdoNet
        ? $"AdoNet clustering ({Invariant}, connection string redacted), cluster '{ClusterId}', service '{ServiceId}'"
        : $"localhost gateways {string.Join(',', EffectiveGatewayPorts)}, cluster '{ClusterId}', service '{ServiceId}'";
}

/// <summary>How the client discovers the cluster's gateways.</summary>
public enum ClusterDiscovery
{
    /// <summary>Fixed gateway ports on 127.0.0.1 (the dev stack and single-machine demos).</summary>
    Localhost,

    /// <summary>The ADO.NET (PostgreSQL) membership table the silos use with <c>Silo:Clustering=AdoNet</c>.</summary>
    AdoNet,
}

/// <summary>Checks <see cref="AnalyticsClientOptions"/>, naming the offending setting.</summary>
public sealed class AnalyticsClientOptionsValidator : IValidateOptions<AnalyticsClientOptions>
{
    private const string S = AnalyticsClientOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AnalyticsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Clustering)) failures.Add($"{S}:Clustering must be 'Localhost' or 'AdoNet', was '{options.Clustering}'.");
        if (string.IsNullOrWhiteSpace(options.ClusterId)) failures.Add($"{S}:ClusterId is required.");
        if (string.IsNullOrWhiteSpace(options.ServiceId)) failures.Add($"{S}:ServiceId is required.");
        foreach (var port in options.GatewayPorts)
        {
            if (port is < 1 or > 65535) failures.Add($"{S}:GatewayPorts must hold TCP ports (1-65535), found {port}.");
        }
        if (options.GatewayPorts.Distinct().Count() != options.GatewayPorts.Length) failures.Add($"{S}:GatewayPorts must not repeat a port.");
        if (options.Clustering == ClusterDiscovery.AdoNet)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString)) failures.Add($"{S}:ConnectionString is required when {S}:Clustering is 'AdoNet'.");
            if (options.Invariant != AnalyticsClientOptions.PostgresInvariant)
                failures.Add($"{S}:Invariant must be '{AnalyticsClientOptions.PostgresInvariant}' (the only provider the client registers), was '{options.Invariant}'.");
        }
        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromMinutes(10))
            failures.Add($"{S}:ConnectTimeout must be between 0 and 10 minutes, was {options.ConnectTimeout}.");
        if (options.QueryTimeout <= TimeSpan.Zero || options.QueryTimeout > TimeSpan.FromMinutes(5))
            failures.Add($"{S}:QueryTimeout must be between 0 and 5 minutes, was {options.QueryTimeout}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
