using Analytics.Grains.Anomalies;
using Analytics.Grains.Archive;
using Analytics.Grains.Diagnostics;
using Analytics.Grains.Sessions;
using Analytics.Grains.Watermarks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Hosting;

/// <summary>Registers the pipeline's silo-side services (not the grains, which Orleans discovers).</summary>
public static class PipelineServiceCollectionExtensions
{
    /// <summary>
    /// Adds options (sections <c>Pipeline</c> and <c>Archive</c>, validated at start-up), metrics, the
    /// watermark view and its sync service, and the event archiver (a silo lifecycle participant).
    /// </summary>
    public static IServiceCollection AddAnalyticsPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>());
        services.AddOptions<ArchiveOptions>().Bind(configuration.GetSection(ArchiveOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ArchiveOptions>, ArchiveOptionsValidator>());
        services.AddOptions<AnomalyOptions>().Bind(configuration.GetSection(AnomalyOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnomalyOptions>, AnomalyOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAnomalySink, LoggingAnomalySink>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<PipelineMetrics>();
        services.TryAddSingleton<LatencyRecorder>();
        services.TryAddSingleton<WatermarkView>();
        services.TryAddSingleton<PartitionProgressRegistry>();
        services.AddHostedService<WatermarkSyncService>();
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>());
        services.TryAddSingleton<SessionRowBuffer>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionRowBuffer>());
        services.TryAddSingleton<IArchiveLedger, GrainArchiveLedger>();
        services.TryAddSingleton<EventArchiver>();
        // A silo lifecycle participant, not a hosted service: it must outlive the stream receivers (see EventArchiver).
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<EventArchiver>());
        return services;
    }
}
