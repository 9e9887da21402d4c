using Analytics.Grains.Streaming;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>Registers the silo side of the live queries (the grains themselves are discovered by Orleans).</summary>
public static class LiveQueryServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="LiveQueryOptions"/> (section <c>LiveQueries</c>, validated at start-up), the per-silo
    /// <see cref="TrafficCollector"/> as a poll observer, the late and dead-letter <see cref="PipelineCounters"/>,
    /// and the <see cref="TrafficReporter"/> that feeds the merge. Idempotent; needs the pipeline's services
    /// (<c>AddAnalyticsPipeline</c>).
    /// </summary>
    public static IServiceCollection AddAnalyticsLiveQueries(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(TrafficCollector))) return services;
        services.AddOptions<LiveQueryOptions>().Bind(configuration.GetSection(LiveQueryOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiveQueryOptions>, LiveQueryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<TrafficCollector>();
        services.AddSingleton<IPollObserver>(sp => sp.GetRequiredService<TrafficCollector>());
        services.AddSingleton<PipelineCounters>();
        services.AddHostedService<TrafficReporter>();
        return services;
    }
}
