using Analytics.Grains.Anomalies;
using Analytics.Grains.Hosting;
using Analytics.Grains.Site;
using Analytics.Grains.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class AnomalyPublishingRegistrationTests
{
    [Fact]
    public void Settings_BindFromEnvironmentVariables_AndKafkaFallsBackToThePipelinesBrokers()
    {
        var prefix = $"AT{Guid.NewGuid():N}_";
        var variables = new Dictionary<string, string>
        {
            [prefix + "Kafka__BootstrapServers"] = "broker-1:9092",
            [prefix + "Anomalies__Kafka__Topic"] = "alerts",
            [prefix + "Anomalies__Webhooks__Urls__0"] = "https://alerts.example/a",
            [prefix + "Anomalies__Webhooks__Urls__1"] = "https://alerts.example/b",
            [prefix + "Anomalies__Publishing__BatchSize"] = "42",
            [prefix + "Anomalies__Site__ReportInterval"] = "00:00:00.250",
        };
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            using var provider = Services(new ConfigurationBuilder().AddEnvironmentVariables(prefix).Build()).BuildServiceProvider();

            var kafka = provider.GetRequiredService<IOptions<AnomalyKafkaOptions>>().Value;
            Assert.Equal("alerts", kafka.Topic);
            Assert.Equal("broker-1:9092", kafka.BootstrapServers);
            Assert.Equal(["https://alerts.example/a", "https://alerts.example/b"], provider.GetRequiredService<IOptions<AnomalyWebhookOptions>>().Value.Urls);
            Assert.Equal(42, provider.GetRequiredService<IOptions<AnomalyPublishingOptions>>().Value.BatchSize);
            Assert.Equal(TimeSpan.FromMilliseconds(250), provider.GetRequiredService<IOptions<SiteTrafficOptions>>().Value.ReportInterval);
        }
        finally
        {
            foreach (var name in variables.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public void ABadSetting_FailsValidation_WithAMessageNamingIt()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "broker-1:9092",
            ["Anomalies:Webhooks:MaxAttempts"] = "0",
        }).Build();
        using var provider = Services(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AnomalyWebhookOptions>>().Value);

        Assert.Contains("Anomalies:Webhooks:MaxAttempts must be between 1 and 20 (was 0).", error.Failures);
    }

    [Fact]
    public void Registering_IsIdempotent_AndAddsOneSinkOneObserverAndTwoBackgroundServices()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = Services(configuration);
        services.AddAnomalyPublishing(configuration);

        Assert.Single(services, d => d.ServiceType == typeof(IAnomalySink));
        Assert.Single(services, d => d.ServiceType == typeof(IPollObserver));
        Assert.Equal(4, services.Count(d => d.ServiceType == typeof(IAnomalyTarget)));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(SiteTrafficReporter));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationFactory is not null);
    }

    private static ServiceCollection Services(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddAnomalyPublishing(configuration);
        return services;
    }
}
