using System.Net;
using System.Net.Sockets;
using ClickHouse.Driver;

namespace Analytics.ClickHouse;

/// <summary>Tells transient ClickHouse failures (worth retrying) from fatal ones.</summary>
public static class ClickHouseErrorClassifier
{
    // ClickHouse server error codes (src/Common/ErrorCodes.cpp) after which the same statement may succeed later.
    private static readonly HashSet<int> TransientServerCodes =
    [
        3,    // UNEXPECTED_END_OF_FILE
        23,   // CANNOT_READ_FROM_ISTREAM
        24,   // CANNOT_WRITE_TO_OSTREAM
        32,   // ATTEMPT_TO_READ_AFTER_EOF
        60,   // UNKNOWN_TABLE: schema not migrated yet; a retry after migration succeeds
        81,   // UNKNOWN_DATABASE: likewise
        159,  // TIMEOUT_EXCEEDED
        160,  // TOO_SLOW
        198,  // DNS_ERROR
        202,  // TOO_MANY_SIMULTANEOUS_QUERIES
        203,  // NO_FREE_CONNECTION
        209,  // SOCKET_TIMEOUT
        210,  // NETWORK_ERROR
        236,  // ABORTED
        241,  // MEMORY_LIMIT_EXCEEDED
        242,  // TABLE_IS_READ_ONLY
        252,  // TOO_MANY_PARTS (but see the partition-count case below)
        279,  // ALL_CONNECTION_TRIES_FAILED
        285,  // TOO_FEW_LIVE_REPLICAS
        319,  // UNKNOWN_STATUS_OF_INSERT
        394,  // QUERY_WAS_CANCELLED
        425,  // SYSTEM_ERROR
        439,  // CANNOT_SCHEDULE_TASK
        473,  // DEADLOCK_AVOIDED
        999,  // KEEPER_EXCEPTION
        1000, // POCO_EXCEPTION
    ];

    /// <summary>
    /// Returns <see langword="true"/> when <paramref name="exception"/> (or the failure it wraps) is transient:
    /// network errors, timeouts, server overload, too many parts, a server response without an error code
    /// (typically a proxy's 5xx page), or a schema not migrated yet. Schema, type, syntax, serialization and
    /// authentication errors are fatal. An <see cref="AnalyticsSinkException"/> answers for itself.
    /// </summary>
    /// <param name="exception">The failure to classify.</param>
    /// <returns>Whether retrying the same operation may succeed.</returns>
    public static bool IsTransient(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case AnalyticsSinkException sink:
                    return sink.IsTransient;
                case ClickHouseServerException server:
                    return IsTransientServerError(server);
                case HttpRequestException http:
                    return http.StatusCode is null || (int)http.StatusCode >= 500 || http.StatusCode == HttpStatusCode.TooManyRequests;
                case SocketException or IOException or TimeoutException:
                    return true;
                case OperationCanceledException:
                    // A cancellation the caller did not ask for: the HTTP client's or our own timeout.
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Count > 0:
                    return aggregate.InnerExceptions.All(IsTransient);
                default:
                    break;
            }
        }

        return false;
    }

    private static bool IsTransientServerError(ClickHouseServerException exception)
    {
        var code = exception.ErrorCode;
        var message = exception.Message ?? "";
        if (code <= 0 || !(message.StartsWith("Code:", StringComparison.Ordinal) || message.Contains("DB::Exception", StringComparison.Ordinal)))
        {
            // Not a ClickHouse error body: an intermediary's 5xx page or a cut stream.
            return true;
        }

        if (code == 252 && message.Contains("partitions for single INSERT block", StringComparison.OrdinalIgnoreCase))
        {
            // Same code as TOO_MANY_PARTS, but the batch itself spans too many partitions: it will never succeed.
            return false;
        }

        return TransientServerCodes.Contains(code);
    }
}
