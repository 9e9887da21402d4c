using Analytics.ClickHouse;
using Xunit;

namespace Analytics.UnitTests.Hosting;

/// <summary>The ClickHouse driver settings: our own HTTP client, and its idle-connection limit validated.</summary>
public sealed class ClickHouseEndpointTests
{
    [Fact]
    public void Settings_UseOwnHttpClient_WithRoomForTheLongestOperationTimeout()
    {
        var options = new ClickHouseOptions { InsertTimeout = TimeSpan.FromSeconds(40), QueryTimeout = TimeSpan.FromSeconds(20) };

        var settings = ClickHouseEndpoint.CreateSettings(options);

        Assert.NotNull(settings.HttpClient);
        Assert.Equal(TimeSpan.FromSeconds(50), settings.HttpClient.Timeout);
        Assert.Equal("127.0.0.1", settings.Host);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ConnectionIdleTimeout_NotPositive_StopsStartUpNamingTheSetting(int seconds)
    {
        var options = new ClickHouseOptions { ConnectionIdleTimeout = TimeSpan.FromSeconds(seconds) };

        var result = new ClickHouseOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ClickHouse:ConnectionIdleTimeout", result.FailureMessage);
    }
}
