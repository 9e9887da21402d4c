using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Analytics.Silo.Hosting;

/// <summary>Stops start-up with a message naming the offending <c>Silo:Membership</c> setting.</summary>
public sealed class ClusterMembershipOptionsValidator : IValidateOptions<ClusterMembershipOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ClusterMembershipOptions o)
    {
        var failures = new List<string>();
        if (o.ProbeTimeout <= TimeSpan.Zero)
            failures.Add($"Silo:Membership:ProbeTimeout must be positive, was {o.ProbeTimeout}.");
        if (o.MaxProbeTimeout < o.ProbeTimeout)
            failures.Add($"Silo:Membership:MaxProbeTimeout must be at least Silo:Membership:ProbeTimeout ({o.ProbeTimeout}), was {o.MaxProbeTimeout}.");
        if (o.MinProbeTimeout <= TimeSpan.Zero || o.MinProbeTimeout > o.ProbeTimeout)
            failures.Add($"Silo:Membership:MinProbeTimeout must be positive and at most Silo:Membership:ProbeTimeout ({o.ProbeTimeout}), was {o.MinProbeTimeout}.");
        if (o.NumMissedProbesLimit < 1)
            failures.Add($"Silo:Membership:NumMissedProbesLimit must be at least 1, was {o.NumMissedProbesLimit}.");
        if (o.NumVotesForDeathDeclaration < 1)
            failures.Add($"Silo:Membership:NumVotesForDeathDeclaration must be at least 1, was {o.NumVotesForDeathDeclaration}.");
        if (o.TableRefreshTimeout <= TimeSpan.Zero)
            failures.Add($"Silo:Membership:TableRefreshTimeout must be positive, was {o.TableRefreshTimeout}.");
        if (o.IAmAliveTablePublishTimeout <= TimeSpan.Zero)
            failures.Add($"Silo:Membership:IAmAliveTablePublishTimeout must be positive, was {o.IAmAliveTablePublishTimeout}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
