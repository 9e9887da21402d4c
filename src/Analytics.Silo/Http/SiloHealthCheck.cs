using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.Silo.Http;

/// <summary>Healthy once the silo is an active cluster member and can call a grain.</summary>
public sealed class SiloHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    /// <inheritdoc />
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var self = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(self == SiloStatus.Active
            ? HealthCheckResult.Healthy($"silo {silo.SiloAddress} is active")
            : HealthCheckResult.Unhealthy($"silo {silo.SiloAddress} is {self}"));
    }
}
