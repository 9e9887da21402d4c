using System.Text.RegularExpressions;

namespace Analytics.Persistence.Postgres;

/// <summary>Fails silo start-up with a message naming the storage and the offending option.</summary>
internal sealed partial class BatchedGrainStorageOptionsValidator(BatchedGrainStorageOptions options, string storageName) : IConfigurationValidator
{
    /// <inheritdoc />
    public void ValidateConfiguration()
    {
        var prefix = $"Batched grain storage '{storageName}': {nameof(BatchedGrainStorageOptions)}.";
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.ConnectionString)} is required (ConnectionStrings:Postgres).");
        if (!TableNamePattern().IsMatch(options.TableName))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.TableName)} must be lower-case letters, digits and underscores (at most 63, not starting with a digit), was '{options.TableName}'.");
        if (options.MaxBatchSize is < 1 or > 10_000)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MaxBatchSize)} must be between 1 and 10000, was {options.MaxBatchSize}.");
        if (options.MaxBatchDelay < TimeSpan.Zero || options.MaxBatchDelay > TimeSpan.FromSeconds(1))
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MaxBatchDelay)} must be between 0 and 1 s, was {options.MaxBatchDelay}.");
        if (options.MaxConcurrentBatches is < 1 or > 64)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.MaxConcurrentBatches)} must be between 1 and 64, was {options.MaxConcurrentBatches}.");
        if (options.GrainStorageSerializer is null)
            throw new OrleansConfigurationException(prefix + $"{nameof(options.GrainStorageSerializer)} is required.");
    }

    // The name is interpolated into SQL: only plain identifiers pass.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    internal static partial Regex TableNamePattern();
}
