using Analytics.Grains.Anomalies;
using Analytics.Grains.Site;
using Analytics.Grains.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Hosting;

/// <summary>Registers site-wide anomaly detection and the publishing of every anomaly.</summary>
public static class AnomalyPublishingServiceCollectionExtensions
{
    /// <summary>
    /// Adds, on a silo that already has <see cref="PipelineServiceCollectionExtensions.AddAnalyticsPipeline"/>:
    /// the per-silo site traffic counter (an <see cref="IPollObserver"/>) and its reporter to the site traffic
    /// grain (section <c>Anomalies:Site</c>); and the <see cref="AnomalyPublisher"/> (an <see cref="IAnomalySink"/>)
    /// with its targets: ClickHouse, Kafka (section <c>Anomalies:Kafka</c>, brokers defaulting to
    /// <c>Kafka:BootstrapServers</c>), the Orleans stream and webhooks (section <c>Anomalies:Webhooks</c>), tuned by
    /// <c>Anomalies:Publishing</c>. Every section is validated at start-up. Idempotent. The silo must also register
    /// Orleans memory streams named <c>AnomalyStreams.ProviderName</c> for the stream target.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configuration">The root configuration.</param>
    public static IServiceCollection AddAnomalyPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<AnomalyPublishingOptions>().Bind(configuration.GetSection(AnomalyPublishingOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyPublishingOptions>, AnomalyPublishingOptionsValidator>());
        services.AddOptions<AnomalyKafkaOptions>()
            .Bind(configuration.GetSection(AnomalyKafkaOptions.SectionName))
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.BootstrapServers))
                {
                    o.BootstrapServers = configuration["Kafka:BootstrapServers"] ?? "";
                }
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyKafkaOptions>, AnomalyKafkaOptionsValidator>());
        services.AddOptions<AnomalyWebhookOptions>().Bind(configuration.GetSection(AnomalyWebhookOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyWebhookOptions>, AnomalyWebhookOptionsValidator>());
        services.AddOptions<SiteTrafficOptions>().Bind(configuration.GetSection(SiteTrafficOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiteTrafficOptions>, SiteTrafficOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<AnomalyPublishingMetrics>();

        // Site-wide detection: count per silo on the pulling agents, merge in one grain twice a second.
        services.TryAddSingleton<SiteTrafficCounter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPollObserver, SiteTrafficCounter>(sp => sp.GetRequiredService<SiteTrafficCounter>()));
        services.AddHostedService<SiteTrafficReporter>();

        // Publishing: one publisher per silo, both the sink detectors call and the background service that delivers.
        services.AddHttpClient(WebhookAnomalyTarget.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalyTarget, ClickHouseAnomalyTarget>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalyTarget, KafkaAnomalyTarget>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalyTarget, StreamAnomalyTarget>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalyTarget, WebhookAnomalyTarget>());
        services.TryAddSingleton<AnomalyPublisher>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalySink, AnomalyPublisher>(sp => sp.GetRequiredService<AnomalyPublisher>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AnomalyPublisher>(sp => sp.GetRequiredService<AnomalyPublisher>()));
        return services;
    }
}
