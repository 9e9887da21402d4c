using System.Globalization;
using System.Text;
using System.Text.Json;
using Analytics.Contracts.Events;

namespace Analytics.Grains.Parsing;

/// <summary>
/// Parses the JSON event contract of DESIGN.md with a forward-only reader (no DOM, one pass). Unknown fields
/// are skipped, never rejected; every rejection carries a reason that names the field.
/// </summary>
public static class AnalyticsEventParser
{
    /// <summary>Longest accepted page path, user id or session id, in characters.</summary>
    public const int MaxIdentifierLength = 2048;

    /// <summary>Parses <paramref name="json"/>. <paramref name="receivedAt"/> bounds how far in the future a timestamp may be.</summary>
    /// <param name="json">The raw record value.</param>
    /// <param name="receivedAt">When the record reached Kafka (UTC); timestamps more than <paramref name="maxFutureSkew"/> after it are rejected.</param>
    /// <param name="maxFutureSkew">Tolerated clock skew of producers.</param>
    public static EventParseResult Parse(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew) =>
        Parse(json, receivedAt, maxFutureSkew, default);

    /// <summary>
    /// Parses <paramref name="json"/> read from Kafka: the event also carries the record's partition, offset and
    /// timestamp (<see cref="AnalyticsEvent.ProducedAt"/> is <paramref name="receivedAt"/>).
    /// </summary>
    /// <param name="json">The raw record value.</param>
    /// <param name="receivedAt">The record's Kafka timestamp (UTC); timestamps more than <paramref name="maxFutureSkew"/> after it are rejected.</param>
    /// <param name="maxFutureSkew">Tolerated clock skew of producers.</param>
    /// <param name="partition">The record's partition.</param>
    /// <param name="offset">The record's offset.</param>
    public static EventParseResult Parse(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew, int partition, long offset) =>
        Parse(json, receivedAt, maxFutureSkew, new Origin(partition, offset, receivedAt));

    private static EventParseResult Parse(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew, Origin origin)
    {
        if (json.IsEmpty) return EventParseResult.Fail("empty message");
        try
        {
            return ParseObject(json, receivedAt, maxFutureSkew, origin);
        }
        catch (JsonException ex)
        {
            return EventParseResult.Fail($"not valid JSON: {ex.Message}");
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader.GetString throws this for strings that are not valid UTF-8.
            return EventParseResult.Fail($"not valid UTF-8 text: {ex.Message}");
        }
    }

    private readonly record struct Origin(int Partition, long Offset, DateTime ProducedAt);

    private static EventParseResult ParseObject(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew, Origin origin)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read()) return EventParseResult.Fail("empty message");
        if (reader.TokenType != JsonTokenType.StartObject) return EventParseResult.Fail($"not a JSON object (found {Describe(reader.TokenType)})");

        string? eventType = null, page = null, timestamp = null;
        string userId = "", sessionId = "", referrer = "", userAgent = "", country = "";
        DateTime? fastTime = null;
        uint durationMs = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // Field names are matched on their UTF-8 bytes: no string per name.
            var field = EventFields.Identify(ref reader);
            if (!reader.Read()) break;
            string? error = null;
            switch (field)
            {
                case EventField.Event: eventType = ReadEventType(ref reader, ref error); break;
                case EventField.Page: page = ReadString(ref reader, field, ref error); break;
                case EventField.Timestamp: (timestamp, fastTime) = ReadTimestamp(ref reader, ref error); break;
                case EventField.UserId: userId = ReadOptionalString(ref reader, field, ref error); break;
                case EventField.SessionId: sessionId = ReadOptionalString(ref reader, field, ref error); break;
                case EventField.Referrer: referrer = ReadOptionalString(ref reader, field, ref error); break;
                case EventField.UserAgent: userAgent = ReadOptionalString(ref reader, field, ref error); break;
                case EventField.Country: country = ReadOptionalString(ref reader, field, ref error); break;
                case EventField.DurationMs: durationMs = ReadDuration(ref reader, ref error); break;
                default: reader.Skip(); break; // extra fields are allowed by the contract
            }
            if (error is not null) return EventParseResult.Fail(error);
        }
        if (reader.TokenType != JsonTokenType.EndObject) return EventParseResult.Fail("not valid JSON: unterminated object");
        if (reader.Read()) return EventParseResult.Fail("not valid JSON: trailing content after the object");

        if (string.IsNullOrWhiteSpace(eventType)) return EventParseResult.Fail("missing or empty field 'event'");
        if (string.IsNullOrWhiteSpace(page)) return EventParseResult.Fail("missing or empty field 'page'");
        if (timestamp is null && fastTime is null) return EventParseResult.Fail("missing field 'timestamp'");
        if (page.Length > MaxIdentifierLength || userId.Length > MaxIdentifierLength || sessionId.Length > MaxIdentifierLength)
            return EventParseResult.Fail($"page, user_id or session_id longer than {MaxIdentifierLength} characters");
        var time = fastTime ?? default;
        if (fastTime is null && !TryParseTimestamp(timestamp!, out time))
            return EventParseResult.Fail($"unparsable field 'timestamp': '{Truncate(timestamp!)}' is not ISO-8601");
        if (time.Year < 1970 || time.Year > 9000)
            return EventParseResult.Fail($"field 'timestamp' {time:O} is out of range (years 1970-9000)");
        if (time > receivedAt + maxFutureSkew)
            return EventParseResult.Fail($"field 'timestamp' {time:O} is more than {maxFutureSkew} after the record was produced ({receivedAt:O})");

        return new EventParseResult(new AnalyticsEvent
        {
            EventType = eventType,
            Page = page,
            Timestamp = time,
            UserId = userId,
            SessionId = sessionId,
            Referrer = referrer,
            UserAgent = userAgent,
            Country = country,
            DurationMs = durationMs,
            Partition = origin.Partition,
            Offset = origin.Offset,
            ProducedAt = origin.ProducedAt,
        }, null);
    }

    /// <summary>
    /// Reads the timestamp: the common ISO-8601 shape straight from the bytes (no string), anything else as a
    /// string for the general parser.
    /// </summary>
    private static (string? Text, DateTime? Utc) ReadTimestamp(ref Utf8JsonReader reader, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && !reader.HasValueSequence &&
            Iso8601Utf8.TryParse(reader.ValueSpan, out var utc))
            return (null, utc);
        return (ReadString(ref reader, EventField.Timestamp, ref error), null);
    }

    /// <summary>The event type; the common ones are the shared constant strings, not a new string per event.</summary>
    private static string? ReadEventType(ref Utf8JsonReader reader, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("page_view"u8)) return EventTypes.PageView;
        return ReadString(ref reader, EventField.Event, ref error);
    }

    /// <summary>Parses an ISO-8601 timestamp (UTC 'Z' or with an offset; fractional seconds allowed) into UTC.</summary>
    public static bool TryParseTimestamp(string text, out DateTime utc)
    {
        text = TruncateFraction(text);
        // RoundtripKind keeps 'Z' and offsets; a timestamp without a zone is taken as UTC (AssumeUniversal).
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var parsed)
            && text.Contains('T', StringComparison.Ordinal))
        {
            utc = parsed.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }

    /// <summary>
    /// Cuts fractional seconds to the 7 digits a DateTime holds: the parser would round them, and rounding
    /// 10:00:59.99999999 up would move the event into the next minute.
    /// </summary>
    private static string TruncateFraction(string text)
    {
        var t = text.IndexOf('T', StringComparison.Ordinal);
        var dot = t < 0 ? -1 : text.IndexOf('.', t);
        if (dot < 0) return text;
        var end = dot + 1;
        while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
        return end - dot - 1 <= 7 ? text : string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
    }

    private static string? ReadString(ref Utf8JsonReader reader, EventField field, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        error = $"field '{EventFields.NameOf(field)}' must be a string, found {Describe(reader.TokenType)}";
        reader.Skip();
        return null;
    }

    private static string ReadOptionalString(ref Utf8JsonReader reader, EventField field, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null) return "";
        return ReadString(ref reader, field, ref error) ?? "";
    }

    private static uint ReadDuration(ref Utf8JsonReader reader, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.Null) return 0;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && value >= 0 && value <= uint.MaxValue)
            return (uint)Math.Round(value);
        error = $"field 'duration_ms' must be a non-negative number, found {Describe(reader.TokenType)}";
        reader.Skip();
        return 0;
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Truncate(string text) => text.Length <= 64 ? text : string.Concat(text.AsSpan(0, 64), "…");

    /// <summary>Decodes a raw record for error messages.</summary>
    internal static string Preview(ReadOnlySpan<byte> raw) => Truncate(Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 256)]));
}
