using Analytics.Persistence.Postgres;
using Orleans.Storage;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>Invalid batched storage options stop the silo with a message naming the storage and the option.</summary>
public sealed class BatchedGrainStorageOptionsValidatorTests
{
    [Theory]
    [InlineData("ConnectionString", "")]
    [InlineData("TableName", "state; DROP TABLE x")]
    [InlineData("TableName", "1state")]
    [InlineData("MaxBatchSize", "0")]
    [InlineData("MaxBatchDelay", "-00:00:00.001")]
    [InlineData("MaxConcurrentBatches", "0")]
    public void An_invalid_option_fails_start_up_naming_it(string option, string value)
    {
        var options = Valid();
        switch (option)
        {
            case "ConnectionString": options.ConnectionString = value; break;
            case "TableName": options.TableName = value; break;
            case "MaxBatchSize": options.MaxBatchSize = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "MaxBatchDelay": options.MaxBatchDelay = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
            case "MaxConcurrentBatches": options.MaxConcurrentBatches = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture); break;
        }

        var error = Assert.Throws<OrleansConfigurationException>(() => new BatchedGrainStorageOptionsValidator(options, "sessions").ValidateConfiguration());

        Assert.Contains("'sessions'", error.Message, StringComparison.Ordinal);
        Assert.Contains(option, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_with_a_connection_string_are_valid()
    {
        new BatchedGrainStorageOptionsValidator(Valid(), "sessions").ValidateConfiguration();
    }

    private static BatchedGrainStorageOptions Valid() => new()
    {
        ConnectionString = "Host=127.0.0.1",
        GrainStorageSerializer = new NoSerializer(),
    };

    private sealed class NoSerializer : IGrainStorageSerializer
    {
        public BinaryData Serialize<T>(T? input) => throw new NotSupportedException();

        public T Deserialize<T>(BinaryData input) => throw new NotSupportedException();
    }
}
