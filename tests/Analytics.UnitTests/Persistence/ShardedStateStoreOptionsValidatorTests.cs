using Analytics.Persistence.Postgres.Hosting;
using Analytics.Persistence.Postgres.Sharded;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>Invalid sharded store options stop start-up with a message naming the setting; the registration fills the ServiceId.</summary>
public sealed class ShardedStateStoreOptionsValidatorTests
{
    [Theory]
    [InlineData("ConnectionString", "")]
    [InlineData("ServiceId", " ")]
    [InlineData("StoreName", "")]
    [InlineData("TablePrefix", "shard; DROP TABLE x")]
    [InlineData("TablePrefix", "Shard")]
    [InlineData("TablePrefix", "1shard")]
    [InlineData("TablePrefix", "a_prefix_that_is_longer_than_forty_eight_characters")]
    public void An_invalid_setting_fails_naming_it(string setting, string value)
    {
        var options = Valid();
        switch (setting)
        {
            case "ConnectionString": options.ConnectionString = value; break;
            case "ServiceId": options.ServiceId = value; break;
            case "StoreName": options.StoreName = value; break;
            case "TablePrefix": options.TablePrefix = value; break;
        }

        var result = new ShardedStateStoreOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains($"StateStorage:{setting}", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_with_a_connection_string_and_service_id_are_valid()
    {
        Assert.True(new ShardedStateStoreOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void The_registration_takes_the_cluster_service_id_and_validates()
    {
        using var services = new ServiceCollection().AddLogging()
            .Configure<ClusterOptions>(o => o.ServiceId = "analytics-prod")
            .AddPostgresShardedStateStore(o => o.ConnectionString = "Host=127.0.0.1")
            .BuildServiceProvider();
        Assert.Equal("analytics-prod", services.GetRequiredService<IOptions<ShardedStateStoreOptions>>().Value.ServiceId);
        Assert.IsType<PostgresShardedStateStore>(services.GetRequiredService<IShardedStateStore>());
        Assert.Contains(services.GetServices<ILifecycleParticipant<ISiloLifecycle>>(), p => p.GetType().Name == "ShardedStateStoreInitializer");

        using var invalid = new ServiceCollection().AddLogging().AddPostgresShardedStateStore(o => o.TablePrefix = "Bad").BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IShardedStateStore>());
        Assert.Contains("StateStorage:TablePrefix", error.Message, StringComparison.Ordinal);
    }

    private static ShardedStateStoreOptions Valid() => new() { ConnectionString = "Host=127.0.0.1", ServiceId = "analytics" };
}
