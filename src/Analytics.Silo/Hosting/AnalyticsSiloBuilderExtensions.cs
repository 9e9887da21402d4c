using Orleans.Runtime.Hosting;
using System.Data.Common;
using System.Net;
using Analytics.Contracts;
using Analytics.Grains;
using Analytics.Grains.Hosting;
using Analytics.Grains.Queries;
using Analytics.Grains.Streaming;
using Analytics.Persistence.Postgres;
using Analytics.Persistence.Postgres.Hosting;
using Analytics.Streaming.Kafka.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Streams;

namespace Analytics.Silo.Hosting;

/// <summary>
/// Everything that makes a silo an analytics silo, from configuration alone: clustering, grain storage, the Kafka
/// stream provider, ClickHouse and the pipeline services. The host program and the TestingHost use the same path.
/// </summary>
public static class AnalyticsSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant name Orleans uses for PostgreSQL.</summary>
    public const string PostgresInvariant = "Npgsql";

    /// <summary>
    /// The configuration section of the batched grain storage that page state uses with
    /// <c>Silo:Persistence=AdoNet</c> (<c>MaxBatchSize</c>, <c>MaxBatchDelay</c>, <c>MaxConcurrentBatches</c>, <c>TableName</c>).
    /// </summary>
    public const string StateStorageSection = "StateStorage";

    /// <summary>Configures <paramref name="silo"/> from <paramref name="configuration"/>.</summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="configuration">The root configuration (sections Orleans, Kafka, ClickHouse, Pipeline, Archive, ConnectionStrings).</param>
    /// <param name="configureEndpoints">Whether to set cluster endpoints (the TestingHost sets its own).</param>
    public static ISiloBuilder AddAnalyticsSilo(this ISiloBuilder silo, IConfiguration configuration, bool configureEndpoints = true)
    {
        var host = configuration.GetSection(SiloHostOptions.SectionName).Get<SiloHostOptions>() ?? new SiloHostOptions();
        ThrowIfInvalid(host);
        var postgres = configuration.GetConnectionString("Postgres") ?? "";
        if ((host.Clustering == "AdoNet" || host.Persistence == "AdoNet") && string.IsNullOrWhiteSpace(postgres))
            throw new OptionsValidationException("ConnectionStrings:Postgres", typeof(string),
                ["ConnectionStrings:Postgres is required when Silo:Clustering or Silo:Persistence is 'AdoNet'."]);
        DbProviderFactories.RegisterFactory(PostgresInvariant, NpgsqlFactory.Instance);

        if (configureEndpoints)
        {
            silo.Configure<ClusterOptions>(o => { o.ClusterId = host.ClusterId; o.ServiceId = host.ServiceId; });
            var advertised = host.AdvertisedIPAddress.Length > 0 ? IPAddress.Parse(host.AdvertisedIPAddress) : IPAddress.Loopback;
            if (host.Clustering == "AdoNet")
            {
                silo.UseAdoNetClustering(o => { o.Invariant = PostgresInvariant; o.ConnectionString = postgres; });
                silo.ConfigureEndpoints(advertised, host.SiloPort, host.GatewayPort, listenOnAnyHostAddress: host.AdvertisedIPAddress.Length > 0);
            }
            else
            {
                silo.UseLocalhostClustering(host.SiloPort, host.GatewayPort,
                    new IPEndPoint(IPAddress.Loopback, host.PrimarySiloPort), host.ServiceId, host.ClusterId);
            }
        }

        // Page grains write before every delivery completes, thousands of grains a second: their writes share round
        // trips in the batched storage. Session shards write only the sessions that changed, with their offsets, in
        // one statement per write. The rest writes rarely and stays on Orleans' ADO.NET storage.
        if (host.Persistence == "AdoNet")
        {
            silo.AddBatchedPostgresGrainStorage(StorageNames.Pages, o =>
            {
                configuration.GetSection(StateStorageSection).Bind(o);
                o.ConnectionString = postgres;
            });
            // Page state (open windows with their exact visitor sets) is written before every delivery: Orleans' binary
            // serializer instead of the default JSON one, which took a large share of the silo's allocations. State
            // written as JSON by an earlier version is still read (the fallback).
            silo.Services.AddOptions<BatchedGrainStorageOptions>(StorageNames.Pages)
                .PostConfigure<Serializer, IGrainStorageSerializer>((o, binary, configured) =>
                    o.GrainStorageSerializer = new GrainStorageSerializer(new OrleansGrainStorageSerializer(binary), configured));
            silo.Services.AddPostgresShardedStateStore(o =>
            {
                o.ConnectionString = postgres;
                o.ServiceId = host.ServiceId;
                o.StoreName = "sessions";
            });
        }
        else
        {
            // Nothing is persisted in Memory mode: skip the memory storage's per-activation read.
            silo.Services.AddGrainStorage(StorageNames.Pages, (_, _) => new VolatileGrainStorage());
        }

        foreach (var storage in new[] { StorageNames.Flush, StorageNames.Archive, "PubSubStore" })
        {
            if (host.Persistence == "AdoNet")
            {
                silo.AddAdoNetGrainStorage(storage, o => { o.Invariant = PostgresInvariant; o.ConnectionString = postgres; });
            }
            else
            {
                silo.AddMemoryGrainStorage(storage);
            }
        }

        silo.AddKafkaStreams(StreamNamespaces.ProviderName, kafka =>
        {
            kafka.ConfigureKafka(o => o.Bind(configuration.GetSection("Kafka")))
                .UseRecordMapper<AnalyticsRecordMapper>()
                .UsePartitionListener<PipelinePartitionListener>();
            // Only implicit subscriptions: no pub-sub grain or store on the delivery path.
            kafka.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
            kafka.ConfigurePullingAgent(o => o.Configure(agent =>
            {
                agent.BatchContainerBatchSize = host.BatchContainerBatchSize;
                agent.GetQueueMsgsTimerPeriod = host.QueuePollPeriod;
                agent.StreamInactivityPeriod = host.StreamInactivityPeriod;
            }));
        });

        silo.AddMemoryStreams(Analytics.Contracts.Anomalies.AnomalyStreams.ProviderName);

        silo.ConfigureServices(services =>
        {
            // Failure detection decides how fast partitions move off a dead silo: our defaults first (Orleans' are
            // slower than the allowed lateness), then Silo:Membership:* on top, validated, and compared at start-up.
            var membership = configuration.GetSection("Silo:Membership");
            services.Configure<ClusterMembershipOptions>(o => MembershipDefaults.Apply(o, membership));
            services.Configure<ClusterMembershipOptions>(membership);
            services.AddSingleton<IValidateOptions<ClusterMembershipOptions>, ClusterMembershipOptionsValidator>();
            services.AddOptions<ClusterMembershipOptions>().ValidateOnStart();
            services.AddHostedService<MembershipLatenessCheck>();
            services.AddOptions<SiloHostOptions>().Bind(configuration.GetSection(SiloHostOptions.SectionName));
            services.AddSingleton<IValidateOptions<SiloHostOptions>, SiloHostOptionsValidator>();
            services.AddClickHouseAnalytics(configuration);
            services.AddAnalyticsPipeline(configuration);
            services.AddAnomalyPublishing(configuration);
            services.AddAnalyticsLiveQueries(configuration);
            // Memory mode keeps state in grain memory only: writing it to in-memory storage would protect nothing.
            services.PostConfigure<PipelineOptions>(o => o.PersistState = host.Persistence == "AdoNet");
        });
        return silo;
    }

    private static void ThrowIfInvalid(SiloHostOptions host)
    {
        var result = new SiloHostOptionsValidator().Validate(null, host);
        if (result.Failed) throw new OptionsValidationException(SiloHostOptions.SectionName, typeof(SiloHostOptions), result.Failures);
    }
}
