namespace Analytics.Streaming.Kafka.Hosting;

/// <summary>Adds Kafka persistent streams to a silo.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Adds a Kafka stream provider named <paramref name="name"/>: one Orleans queue per partition of the topic,
    /// Kafka offsets as sequence tokens, offsets committed only for delivered and durable records.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The stream provider name.</param>
    /// <param name="configure">Configures the provider; must at least call <see cref="SiloKafkaStreamConfigurator.UseRecordMapper{TMapper}"/>.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddKafkaStreams(this ISiloBuilder builder, string name, Action<SiloKafkaStreamConfigurator> configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var configurator = new SiloKafkaStreamConfigurator(name, services => builder.ConfigureServices(services));
        configure(configurator);
        return builder;
    }

    /// <summary>Adds a Kafka stream provider with options set inline, using <typeparamref name="TMapper"/> to map records.</summary>
    /// <typeparam name="TMapper">The record mapper.</typeparam>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The stream provider name.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The same builder.</returns>
    public static ISiloBuilder AddKafkaStreams<TMapper>(this ISiloBuilder builder, string name, Action<KafkaStreamOptions> configureOptions)
        where TMapper : class, Mapping.IKafkaRecordMapper =>
        builder.AddKafkaStreams(name, c => c.ConfigureKafka(ob => ob.Configure(configureOptions)).UseRecordMapper<TMapper>());
}
