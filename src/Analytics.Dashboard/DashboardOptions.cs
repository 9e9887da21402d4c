using System.Net;
using Microsoft.Extensions.Options;

namespace Analytics.Dashboard;

/// <summary>The dashboard's own settings (configuration section <c>Dashboard</c>).</summary>
public sealed class DashboardOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Dashboard";

    /// <summary>
    /// A secret every request must carry (header <c>Authorization: Bearer ...</c> or <c>X-Access-Token</c>, or the
    /// query parameter <c>access_token</c>). Empty means none, which is allowed only while the dashboard listens
    /// on loopback addresses. Defaults to empty.
    /// </summary>
    public string AccessToken { get; set; } = "";

    /// <summary>How often the page is pushed fresh figures. Defaults to 1 s.</summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Pages shown per ranking on the live page. Defaults to 10.</summary>
    public int TopPages { get; set; } = 10;

    /// <summary>The URLs Kestrel listens on (from the standard <c>Urls</c> setting); set by the host.</summary>
    internal IReadOnlyList<string> Urls { get; set; } = [];
}

/// <summary>Checks <see cref="DashboardOptions"/>, naming the offending setting.</summary>
public sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    private const string S = DashboardOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.UpdateInterval < TimeSpan.FromMilliseconds(100) || options.UpdateInterval > TimeSpan.FromMinutes(1))
            failures.Add($"{S}:UpdateInterval must be between 100 ms and 1 minute, was {options.UpdateInterval}.");
        if (options.TopPages is < 1 or > 50) failures.Add($"{S}:TopPages must be between 1 and 50, was {options.TopPages}.");
        if (options.AccessToken.Length is > 0 and < 16) failures.Add($"{S}:AccessToken must be at least 16 characters when set.");
        var exposed = options.Urls.Where(url => !IsLoopback(url)).ToList();
        if (exposed.Count > 0 && options.AccessToken.Length == 0)
            failures.Add($"{S}:AccessToken is required when the dashboard listens beyond loopback ({string.Join(", ", exposed)}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Whether a Kestrel URL such as <c>http://127.0.0.1:5080</c> binds loopback addresses only.</summary>
    public static bool IsLoopback(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[..(rest.IndexOf(']') + 1)] : rest.Split(':', '/')[0];
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
