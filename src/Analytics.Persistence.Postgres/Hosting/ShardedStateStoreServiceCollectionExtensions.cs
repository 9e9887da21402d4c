using Analytics.Persistence.Postgres.Sharded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Analytics.Persistence.Postgres.Hosting;

/// <summary>Registers the PostgreSQL sharded state store.</summary>
public static class ShardedStateStoreServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="IShardedStateStore"/> on PostgreSQL whose tables are created while the silo starts
    /// (before grains run). Options are validated at start-up; an empty <see cref="ShardedStateStoreOptions.ServiceId"/>
    /// takes the silo's <see cref="ClusterOptions.ServiceId"/>.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="configure">Sets the options; at least <see cref="ShardedStateStoreOptions.ConnectionString"/>.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddPostgresShardedStateStore(this IServiceCollection services, Action<ShardedStateStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ShardedStateStoreOptions>()
            .Configure(configure)
            .PostConfigure<IOptions<ClusterOptions>>((o, cluster) =>
            {
                if (string.IsNullOrWhiteSpace(o.ServiceId)) o.ServiceId = cluster.Value.ServiceId;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShardedStateStoreOptions>, ShardedStateStoreOptionsValidator>());
        services.ConfigureFormatter<ShardedStateStoreOptions>();
        services.AddMetrics();
        services.TryAddSingleton<ShardedStateStoreMetrics>();
        services.TryAddSingleton<PostgresShardedStateStore>();
        services.TryAddSingleton<IShardedStateStore>(sp => sp.GetRequiredService<PostgresShardedStateStore>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, ShardedStateStoreInitializer>());
        return services;
    }
}
