using System.Net;
using ClickHouse.Driver.ADO;

namespace Analytics.ClickHouse;

/// <summary>Builds the driver settings from the options and describes the endpoint without secrets.</summary>
internal static class ClickHouseEndpoint
{
    /// <summary>
    /// Driver settings for <paramref name="options"/>, with our own HTTP client: its timeout leaves room for our own,
    /// shorter ones, and it drops idle connections before the server does (<see cref="ClickHouseOptions.ConnectionIdleTimeout"/>).
    /// </summary>
    public static ClickHouseClientSettings CreateSettings(ClickHouseOptions options)
    {
        var longest = options.InsertTimeout > options.QueryTimeout ? options.InsertTimeout : options.QueryTimeout;
        var timeout = longest + TimeSpan.FromSeconds(10);
        var builder = new ClickHouseConnectionStringBuilder(options.ConnectionString) { Timeout = timeout };
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = options.ConnectionIdleTimeout,
            // The driver asks for compressed responses when compression is on; with our own client, decompressing is ours.
            AutomaticDecompression = DecompressionMethods.All,
        };
        return new ClickHouseClientSettings(builder.ToSettings())
        {
            HttpClient = new HttpClient(handler, disposeHandler: true) { Timeout = timeout },
        };
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
