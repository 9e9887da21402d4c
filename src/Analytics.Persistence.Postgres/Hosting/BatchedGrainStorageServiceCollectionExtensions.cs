using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Analytics.Persistence.Postgres.Hosting;

/// <summary>Registers batched PostgreSQL grain storages.</summary>
public static class BatchedGrainStorageServiceCollectionExtensions
{
    /// <summary>
    /// Adds a batched PostgreSQL grain storage named <paramref name="name"/> (use it with
    /// <c>[PersistentState("state", name)]</c>). Its table is created at silo start if missing.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The storage name.</param>
    /// <param name="configure">Sets the options; at least <see cref="BatchedGrainStorageOptions.ConnectionString"/>.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddBatchedPostgresGrainStorage(this IServiceCollection services, string name, Action<BatchedGrainStorageOptions> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<BatchedGrainStorageOptions>(name).Configure(configure);
        // The silo's configured grain state serializer (or one registered under this storage's name), as Orleans' own storages do.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<BatchedGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<BatchedGrainStorageOptions>>());
        services.ConfigureNamedOptionForLogging<BatchedGrainStorageOptions>(name);
        services.AddTransient<IConfigurationValidator>(sp => new BatchedGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<BatchedGrainStorageOptions>>().Get(name), name));
        services.AddMetrics();
        services.TryAddSingleton<BatchedStorageMetrics>();
        services.TryAddSingleton(TimeProvider.System);
        return services.AddGrainStorage(name, (sp, storageName) => ActivatorUtilities.CreateInstance<BatchedGrainStorage>(
            sp, storageName, sp.GetRequiredService<IOptionsMonitor<BatchedGrainStorageOptions>>().Get(storageName)));
    }

    /// <summary>Adds a batched PostgreSQL grain storage named <paramref name="name"/> to the silo.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage name.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddBatchedPostgresGrainStorage(this ISiloBuilder builder, string name, Action<BatchedGrainStorageOptions> configure) =>
        builder.ConfigureServices(services => services.AddBatchedPostgresGrainStorage(name, configure));
}
