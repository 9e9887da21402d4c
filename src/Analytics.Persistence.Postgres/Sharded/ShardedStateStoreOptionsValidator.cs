using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Analytics.Persistence.Postgres.Sharded;

/// <summary>Stops start-up with a message naming the offending sharded state store setting.</summary>
public sealed partial class ShardedStateStoreOptionsValidator : IValidateOptions<ShardedStateStoreOptions>
{
    private const string Section = ShardedStateStoreOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ShardedStateStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            failures.Add($"{Section}:ConnectionString is required (ConnectionStrings:Postgres).");
        if (string.IsNullOrWhiteSpace(options.ServiceId))
            failures.Add($"{Section}:ServiceId is required (the Orleans ServiceId).");
        if (string.IsNullOrWhiteSpace(options.StoreName))
            failures.Add($"{Section}:StoreName is required.");
        if (!TablePrefixPattern().IsMatch(options.TablePrefix ?? ""))
            failures.Add($"{Section}:TablePrefix must be lower-case letters, digits and underscores (at most 48, not starting with a digit), was '{options.TablePrefix}'.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The prefix is interpolated into SQL, so only plain identifiers pass; 48 leaves room for the longest derived
    // name ("{prefix}_items_active", 14 more) within PostgreSQL's 63-character identifiers.
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,47}$")]
    private static partial Regex TablePrefixPattern();
}
