using System.Text.Json;

namespace Analytics.LoadGenerator;

/// <summary>
/// What a run sent, counting only messages Kafka acknowledged: the record tests and benchmarks compare with the
/// ClickHouse rollups. Written as snake_case JSON (<c>--record</c>).
/// </summary>
public sealed class SendRecord
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    /// <summary>The run id carried by every event.</summary>
    public required string RunId { get; init; }

    /// <summary>The topic the events went to.</summary>
    public required string Topic { get; init; }

    /// <summary>The seed of the random generator (rerun with it to get the same traffic).</summary>
    public required int Seed { get; init; }

    /// <summary>The target rate in events per second (0 = as fast as possible).</summary>
    public double TargetRate { get; init; }

    /// <summary>When sending started (UTC).</summary>
    public required DateTime Started { get; init; }

    /// <summary>When the run ended, after the final flush (UTC).</summary>
    public required DateTime Ended { get; init; }

    /// <summary>Seconds spent producing (from the first to the last send, flush excluded).</summary>
    public double SendSeconds { get; init; }

    /// <summary>The counts.</summary>
    public required SendTotals Totals { get; init; }

    /// <summary>Delivered well-formed events (on time and late) by <c>event</c> type.</summary>
    public IReadOnlyDictionary<string, long> EventsByType { get; init; } = new Dictionary<string, long>();

    /// <summary>Delivered malformed messages by kind (snake_case <see cref="MalformedKind"/> names).</summary>
    public IReadOnlyDictionary<string, long> MalformedByKind { get; init; } = new Dictionary<string, long>();

    /// <summary>Failed deliveries by error reason.</summary>
    public IReadOnlyDictionary<string, long> FailuresByReason { get; init; } = new Dictionary<string, long>();

    /// <summary>
    /// Delivered on-time, well-formed <c>page_view</c> events per page and minute: what <c>page_views_1m</c> must hold
    /// for this run's pages. Sorted by minute, then page.
    /// </summary>
    public IReadOnlyList<PageMinuteCount> PageMinutes { get; init; } = [];

    /// <summary>Delivered late <c>page_view</c> events per page and (event-time) minute. Sorted by minute, then page.</summary>
    public IReadOnlyList<LatePageMinuteCount> LatePageMinutes { get; init; } = [];

    /// <summary>The record as indented snake_case JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Reads a record written by <see cref="ToJson"/>.</summary>
    public static SendRecord FromJson(string json) =>
        JsonSerializer.Deserialize<SendRecord>(json, JsonOptions)
        ?? throw new JsonException("The send record is empty.");

    /// <summary>Writes the record to <paramref name="path"/> (atomically: a temp file, then a rename).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temp = full + ".tmp";
        await File.WriteAllTextAsync(temp, ToJson(), cancellationToken).ConfigureAwait(false);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads a record from <paramref name="path"/>.</summary>
    public static async Task<SendRecord> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        FromJson(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
}

/// <summary>
/// The counts of a run. Every delivered message is exactly one of page view on time, other event on time, late,
/// or malformed, so those four add up to <see cref="Delivered"/>.
/// </summary>
public sealed record SendTotals
{
    /// <summary>Messages handed to the producer.</summary>
    public long Sent { get; init; }

    /// <summary>Messages Kafka acknowledged (acks=all).</summary>
    public long Delivered { get; init; }

    /// <summary>Messages whose delivery failed.</summary>
    public long Failed { get; init; }

    /// <summary>Messages with no delivery report when the run ended (flush timed out); 0 normally.</summary>
    public long Unconfirmed { get; init; }

    /// <summary>Delivered well-formed on-time <c>page_view</c> events.</summary>
    public long PageViewsOnTime { get; init; }

    /// <summary>Delivered well-formed late events (any type).</summary>
    public long Late { get; init; }

    /// <summary>Delivered malformed messages.</summary>
    public long Malformed { get; init; }

    /// <summary>Delivered well-formed on-time events other than <c>page_view</c>.</summary>
    public long OtherEvents { get; init; }
}

/// <summary>On-time page views of one page in one minute.</summary>
/// <param name="Page">The page.</param>
/// <param name="Minute">The window start (UTC, whole minute).</param>
/// <param name="Views">Delivered on-time page views.</param>
/// <param name="UniqueVisitors">Distinct <c>user_id</c>s among them.</param>
public sealed record PageMinuteCount(
    string Page,
    DateTime Minute,
    long Views,
    long UniqueVisitors);

/// <summary>Late page views of one page whose event time falls in one minute.</summary>
/// <param name="Page">The page.</param>
/// <param name="Minute">The event-time minute (UTC).</param>
/// <param name="Views">Delivered late page views.</param>
public sealed record LatePageMinuteCount(
    string Page,
    DateTime Minute,
    long Views);

/// <summary>Naming helpers for the record.</summary>
public static class RecordNames
{
    /// <summary>The snake_case name of a malformed kind, as used in <see cref="SendRecord.MalformedByKind"/>.</summary>
    public static string Of(MalformedKind kind) => kind switch
    {
        MalformedKind.NotJson => "not_json",
        MalformedKind.JsonArray => "json_array",
        MalformedKind.MissingPage => "missing_page",
        MalformedKind.EmptyPage => "empty_page",
        MalformedKind.BadTimestamp => "bad_timestamp",
        MalformedKind.MissingTimestamp => "missing_timestamp",
        MalformedKind.WrongType => "wrong_type",
        MalformedKind.Oversized => "oversized",
        _ => kind.ToString(),
    };
}
