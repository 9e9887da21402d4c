using Analytics.ClickHouse;
using Analytics.ClickHouse.Hosting;
using Analytics.ClickHouse.Schema;
using ClickHouse.Driver;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ClickHouse analytics store.</summary>
public static class AnalyticsClickHouseServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ClickHouse analytics store with options bound from the <c>ClickHouse</c> section of
    /// <paramref name="configuration"/> (the root configuration), validated at start-up.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The root configuration; its <c>ClickHouse</c> section is bound.</param>
    /// <returns>The services, for chaining.</returns>
    /// <remarks>See <see cref="AddClickHouseAnalytics(IServiceCollection, Action{ClickHouseOptions}?)"/> for what is registered.</remarks>
    public static IServiceCollection AddClickHouseAnalytics(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ClickHouseOptions>().Bind(configuration.GetSection(ClickHouseOptions.SectionName));
        return services.AddClickHouseAnalytics(configure: null);
    }

    /// <summary>
    /// Registers the ClickHouse analytics store. Idempotent. Registers: <see cref="ClickHouseOptions"/> with
    /// validation on start; one <see cref="ClickHouseClient"/> singleton (thread-safe, shared by the process);
    /// <see cref="IAnalyticsSink"/>; <see cref="ClickHouseSchemaMigrator"/>; and a hosted service that migrates the
    /// schema at start-up (unless <see cref="ClickHouseOptions.MigrateOnStartup"/> is off). Register it before
    /// Orleans so the schema exists before grains start writing.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Optional changes to the options, applied after configuration binding.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddClickHouseAnalytics(this IServiceCollection services, Action<ClickHouseOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);

        var optionsBuilder = services.AddOptions<ClickHouseOptions>();
        if (configure is not null)
        {
            optionsBuilder.Configure(configure);
        }

        optionsBuilder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClickHouseOptions>, ClickHouseOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ClickHouseClient(ClickHouseEndpoint.CreateSettings(sp.GetRequiredService<IOptions<ClickHouseOptions>>().Value)));
        services.TryAddSingleton<ClickHouseSinkMetrics>();
        services.TryAddSingleton<IAnalyticsSink, ClickHouseAnalyticsSink>();
        services.TryAddSingleton<ClickHouseSchemaMigrator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ClickHouseSchemaHostedService>());
        return services;
    }
}
