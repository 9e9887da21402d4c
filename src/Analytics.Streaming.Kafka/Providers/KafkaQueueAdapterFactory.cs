using System.Globalization;
using Analytics.Streaming.Kafka.Mapping;
using Analytics.Streaming.Kafka.Providers.Caching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// Creates the adapter, the queue mapper (one queue per Kafka partition) and the queue cache (indexed by stream:
/// see <see cref="StreamIndexedQueueCache"/>).
/// </summary>
internal sealed partial class KafkaQueueAdapterFactory : IQueueAdapterFactory
{
    private readonly string _name;
    private readonly KafkaStreamOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly StreamIndexedQueueAdapterCache _cache;
    private readonly Lazy<HashRingBasedPartitionedStreamQueueMapper> _queueMapper;

    public KafkaQueueAdapterFactory(string name, KafkaStreamOptions options, SimpleQueueCacheOptions cacheOptions,
        StreamPullingAgentOptions agentOptions, IServiceProvider services, ILoggerFactory loggerFactory)
    {
        _name = name;
        _options = options;
        _services = services;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<KafkaQueueAdapterFactory>();
        _cache = new StreamIndexedQueueAdapterCache(cacheOptions.CacheSize, agentOptions.BatchContainerBatchSize > 1);
        _queueMapper = new Lazy<HashRingBasedPartitionedStreamQueueMapper>(CreateQueueMapper);
    }

    public static KafkaQueueAdapterFactory Create(IServiceProvider services, string name) =>
        ActivatorUtilities.CreateInstance<KafkaQueueAdapterFactory>(services, name,
            services.GetOptionsByName<KafkaStreamOptions>(name),
            services.GetOptionsByName<SimpleQueueCacheOptions>(name),
            services.GetOptionsByName<StreamPullingAgentOptions>(name));

    public Task<IQueueAdapter> CreateAdapter() => CreateAdapter(CancellationToken.None);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken)
    {
        var mapper = _services.GetKeyedService<IKafkaRecordMapper>(_name)
            ?? throw new InvalidOperationException(
                $"Kafka stream provider '{_name}' has no record mapper: call UseRecordMapper<T>() on its configurator.");
        var listener = _services.GetKeyedService<IKafkaPartitionListener>(_name) ?? NullPartitionListener.Instance;
        IQueueAdapter adapter = new KafkaQueueAdapter(_name, _options, _queueMapper.Value, mapper, listener,
            _services.GetRequiredService<KafkaStreamMetrics>(),
            _services.GetService<TimeProvider>() ?? TimeProvider.System, _loggerFactory);
        return Task.FromResult(adapter);
    }

    public IQueueAdapterCache GetQueueAdapterCache() => _cache;

    public IStreamQueueMapper GetStreamQueueMapper() => _queueMapper.Value;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new NoOpStreamDeliveryFailureHandler());

    private HashRingBasedPartitionedStreamQueueMapper CreateQueueMapper()
    {
        var partitions = _options.Partitions > 0
            ? _options.Partitions
            : KafkaClientFactory.DiscoverPartitions(_options, TimeSpan.FromSeconds(30));
        LogPartitions(_name, _options.Topic, partitions);
        var ids = Enumerable.Range(0, partitions).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToList();
        return new HashRingBasedPartitionedStreamQueueMapper(ids, _name);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stream provider {Provider}: topic {Topic} has {Partitions} partitions, one queue each.")]
    private partial void LogPartitions(string provider, string topic, int partitions);
}
