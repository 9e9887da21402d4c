using System.Text;
using System.Text.Json;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Runs SQL against a test ClickHouse over its HTTP interface (independent of the product's driver).</summary>
public sealed class ClickHouseHttp(Uri endpoint) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Runs <paramref name="sql"/> and returns its rows as JSON objects.</summary>
    public async Task<List<JsonElement>> QueryAsync(string sql)
    {
        using var content = new StringContent(sql + " FORMAT JSONEachRow", Encoding.UTF8);
        using var response = await _http.PostAsync("/?output_format_json_quote_64bit_integers=0", content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ClickHouse query failed ({(int)response.StatusCode}): {body}\nSQL: {sql}");
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    /// <summary>Runs <paramref name="sql"/> and returns the single number it yields.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        using var content = new StringContent(sql, Encoding.UTF8);
        using var response = await _http.PostAsync("/", content);
        var body = (await response.Content.ReadAsStringAsync()).Trim();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ClickHouse query failed ({(int)response.StatusCode}): {body}\nSQL: {sql}");
        return long.Parse(body, System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose() => _http.Dispose();
}
