using Microsoft.Extensions.Options;

namespace Analytics.Grains.Archive;

/// <summary>Stops start-up with a message naming the offending <c>Archive</c> setting.</summary>
public sealed class ArchiveOptionsValidator : IValidateOptions<ArchiveOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ArchiveOptions options)
    {
        var failures = new List<string>();
        if (options.Interval < TimeSpan.FromMilliseconds(10) || options.Interval > TimeSpan.FromMinutes(1))
            failures.Add($"Archive:Interval must be between 10 ms and 1 minute, was {options.Interval}.");
        if (options.MaxBatchRows <= 0)
            failures.Add($"Archive:MaxBatchRows must be positive, was {options.MaxBatchRows}.");
        if (options.MaxPendingRows < options.MaxBatchRows)
            failures.Add($"Archive:MaxPendingRows must be at least Archive:MaxBatchRows, was {options.MaxPendingRows}.");
        if (options.MaxParallelInserts is < 1 or > 16)
            failures.Add($"Archive:MaxParallelInserts must be between 1 and 16, was {options.MaxParallelInserts}.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
