using ClickHouse.Driver.ADO;

namespace Analytics.ClickHouse;

/// <summary>Builds the driver settings from the options and describes the endpoint without secrets.</summary>
internal static class ClickHouseEndpoint
{
    /// <summary>Driver settings for <paramref name="options"/>; the HTTP timeout leaves room for our own, shorter ones.</summary>
    public static ClickHouseClientSettings CreateSettings(ClickHouseOptions options)
    {
        var longest = options.InsertTimeout > options.QueryTimeout ? options.InsertTimeout : options.QueryTimeout;
        var builder = new ClickHouseConnectionStringBuilder(options.ConnectionString)
        {
            Timeout = longest + TimeSpan.FromSeconds(10),
        };
        return builder.ToSettings();
    }

    /// <summary>"http://host:port (user name)", never the password, for logs and error messages.</summary>
    public static string Describe(ClickHouseOptions options)
    {
        try
        {
            var b = new ClickHouseConnectionStringBuilder(options.ConnectionString);
            return $"{b.Protocol}://{b.Host}:{b.Port} (user {b.Username})";
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)";
        }
    }
}
