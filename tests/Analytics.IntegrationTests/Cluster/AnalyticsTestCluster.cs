using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace Analytics.IntegrationTests.Cluster;

/// <summary>Builds a TestingHost cluster of analytics silos against real Kafka and ClickHouse peers.</summary>
public static class AnalyticsTestCluster
{
    /// <summary>
    /// Starts <paramref name="silos"/> silos configured with <paramref name="settings"/>. A <paramref name="serviceId"/>
    /// (it keys durable grain state) lets a later cluster find the state of an earlier one; by default each cluster has its own.
    /// </summary>
    public static async Task<TestCluster> StartAsync(IDictionary<string, string?> settings, int silos = 2, string? serviceId = null)
    {
        var builder = new TestClusterBuilder((short)silos);
        if (serviceId is not null) builder.Options.ServiceId = serviceId;
        builder.ConfigureHostConfiguration(config => config.AddInMemoryCollection(settings));
        builder.AddSiloBuilderConfigurator<TestSiloConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Settings for a pipeline test: fast windows, unique topic, group and database.</summary>
    public static Dictionary<string, string?> Settings(string bootstrapServers, string topic, string clickHouseConnectionString, string database) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrapServers,
        ["Kafka:Topic"] = topic,
        ["Kafka:ConsumerGroup"] = "it-" + topic,
        ["Kafka:MinPollInterval"] = "00:00:00.100",
        ["ClickHouse:ConnectionString"] = clickHouseConnectionString,
        ["ClickHouse:Database"] = database,
        ["Pipeline:AllowedLateness"] = "00:00:02",
        ["Pipeline:WallClockGrace"] = "00:00:01",
        ["Pipeline:FlushInterval"] = "00:00:00.500",
        ["Pipeline:IdlePartitionTimeout"] = "00:00:05",
        ["Archive:Interval"] = "00:00:00.200",
        ["Sessions:RowFlushInterval"] = "00:00:00.500",
        ["Sessions:RollupInterval"] = "00:00:02",
    };
}
