using Analytics.Silo.Hosting;
using Orleans.TestingHost;

namespace Analytics.IntegrationTests.Cluster;

/// <summary>Configures each TestingHost silo exactly like the real host, from the cluster's configuration.</summary>
public sealed class TestSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) =>
        siloBuilder.AddAnalyticsSilo(siloBuilder.Configuration, configureEndpoints: false);
}
