using System.Text.RegularExpressions;
using ClickHouse.Driver.ADO;
using Microsoft.Extensions.Options;

namespace Analytics.ClickHouse;

/// <summary>Validates <see cref="ClickHouseOptions"/>; every failure names the setting by its configuration key.</summary>
internal sealed partial class ClickHouseOptionsValidator : IValidateOptions<ClickHouseOptions>
{
    internal const int MaxTtlDays = 36_500;
    internal const int MaxInsertBlockRows = 1_000_000;
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, ClickHouseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string S = ClickHouseOptions.SectionName;

        ValidateConnectionString(options.ConnectionString, failures);

        if (string.IsNullOrEmpty(options.Database) || !IdentifierPattern().IsMatch(options.Database))
        {
            failures.Add($"{S}:Database must be a plain identifier (letters, digits, underscores; not starting with a digit), but was '{options.Database}'.");
        }

        CheckTtl(options.RawEventsTtlDays, nameof(options.RawEventsTtlDays), failures);
        CheckTtl(options.LateEventsTtlDays, nameof(options.LateEventsTtlDays), failures);
        CheckTtl(options.DeadLettersTtlDays, nameof(options.DeadLettersTtlDays), failures);

        if (options.MaxBatchRows is < 1 or > MaxInsertBlockRows)
        {
            failures.Add($"{S}:MaxBatchRows must be between 1 and {MaxInsertBlockRows}, but was {options.MaxBatchRows}.");
        }

        CheckTimeout(options.InsertTimeout, nameof(options.InsertTimeout), failures);
        CheckTimeout(options.QueryTimeout, nameof(options.QueryTimeout), failures);
        CheckTimeout(options.StartupTimeout, nameof(options.StartupTimeout), failures);
        CheckTimeout(options.ConnectionIdleTimeout, nameof(options.ConnectionIdleTimeout), failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnectionString(string? connectionString, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            failures.Add($"{ClickHouseOptions.SectionName}:ConnectionString is required.");
            return;
        }

        try
        {
            var settings = new ClickHouseConnectionStringBuilder(connectionString).ToSettings();
            settings.Validate();
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or InvalidCastException)
        {
            // The message of the parser never echoes the password back; the connection string itself is not logged.
            failures.Add($"{ClickHouseOptions.SectionName}:ConnectionString is not a valid ClickHouse.Driver connection string: {ex.Message}");
        }
    }

    private static void CheckTtl(int days, string key, List<string> failures)
    {
        if (days is < 0 or > MaxTtlDays)
        {
            failures.Add($"{ClickHouseOptions.SectionName}:{key} must be between 0 (keep forever) and {MaxTtlDays}, but was {days}.");
        }
    }

    private static void CheckTimeout(TimeSpan value, string key, List<string> failures)
    {
        if (value <= TimeSpan.Zero || value > MaxTimeout)
        {
            failures.Add($"{ClickHouseOptions.SectionName}:{key} must be positive and at most {MaxTimeout}, but was {value}.");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
