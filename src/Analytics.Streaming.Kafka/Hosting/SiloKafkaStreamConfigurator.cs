using Analytics.Streaming.Kafka.Mapping;
using Analytics.Streaming.Kafka.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Analytics.Streaming.Kafka.Hosting;

/// <summary>Configures one Kafka stream provider on a silo.</summary>
public sealed class SiloKafkaStreamConfigurator : SiloPersistentStreamConfigurator
{
    /// <summary>Creates the configurator for provider <paramref name="name"/>.</summary>
    public SiloKafkaStreamConfigurator(string name, Action<Action<IServiceCollection>> configureServicesDelegate)
        : base(name, configureServicesDelegate, KafkaQueueAdapterFactory.Create)
    {
        ConfigureDelegate(services =>
        {
            services.ConfigureNamedOptionForLogging<KafkaStreamOptions>(name);
            services.TryAddSingleton<KafkaStreamMetrics>();
            services.AddTransient<IConfigurationValidator>(sp => new KafkaStreamOptionsValidator(
                sp.GetRequiredService<IOptionsMonitor<KafkaStreamOptions>>().Get(name), name));
        });
        // Sessions and pages make many small streams per poll: a larger cache keeps the agent from backing off.
        ConfigureCache(64 * 1024);
    }

    /// <summary>Configures the provider's <see cref="KafkaStreamOptions"/>.</summary>
    public SiloKafkaStreamConfigurator ConfigureKafka(Action<OptionsBuilder<KafkaStreamOptions>> configure)
    {
        this.Configure(configure);
        return this;
    }

    /// <summary>Sets the size (in batch containers) of each queue's cache. Defaults to 65,536.</summary>
    public SiloKafkaStreamConfigurator ConfigureCache(int cacheSize)
    {
        this.Configure<SimpleQueueCacheOptions>(ob => ob.Configure(o => o.CacheSize = cacheSize));
        return this;
    }

    /// <summary>Uses <typeparamref name="TMapper"/> (a singleton) to turn records into stream events. Required.</summary>
    public SiloKafkaStreamConfigurator UseRecordMapper<TMapper>() where TMapper : class, IKafkaRecordMapper
    {
        ConfigureDelegate(services => services.TryAddKeyedSingleton<IKafkaRecordMapper, TMapper>(Name));
        return this;
    }

    /// <summary>Uses <typeparamref name="TListener"/> (a singleton) for side effects that gate offset commits.</summary>
    public SiloKafkaStreamConfigurator UsePartitionListener<TListener>() where TListener : class, IKafkaPartitionListener
    {
        ConfigureDelegate(services =>
        {
            services.TryAddSingleton<TListener>();
            services.TryAddKeyedSingleton<IKafkaPartitionListener>(Name, (sp, _) => sp.GetRequiredService<TListener>());
        });
        return this;
    }
}
