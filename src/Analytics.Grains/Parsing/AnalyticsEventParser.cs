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
    public static EventParseResult Parse(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew)
    {
        if (json.IsEmpty) return EventParseResult.Fail("empty message");
        try
        {
            return ParseObject(json, receivedAt, maxFutureSkew);
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

    private static EventParseResult ParseObject(ReadOnlySpan<byte> json, DateTime receivedAt, TimeSpan maxFutureSkew)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read()) return EventParseResult.Fail("empty message");
        if (reader.TokenType != JsonTokenType.StartObject) return EventParseResult.Fail($"not a JSON object (found {Describe(reader.TokenType)})");

        string? eventType = null, page = null, timestamp = null;
        string userId = "", sessionId = "", referrer = "", userAgent = "", country = "";
        uint durationMs = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            if (!reader.Read()) break;
            string? error = null;
            switch (field)
            {
                case "event": eventType = ReadString(ref reader, field, ref error); break;
                case "page": page = ReadString(ref reader, field, ref error); break;
                case "timestamp": timestamp = ReadString(ref reader, field, ref error); break;
                case "user_id": userId = ReadOptionalString(ref reader, field, ref error); break;
                case "session_id": sessionId = ReadOptionalString(ref reader, field, ref error); break;
                case "referrer": referrer = ReadOptionalString(ref reader, field, ref error); break;
                case "user_agent": userAgent = ReadOptionalString(ref reader, field, ref error); break;
                case "country": country = ReadOptionalString(ref reader, field, ref error); break;
                case "duration_ms": durationMs = ReadDuration(ref reader, ref error); break;
                default: reader.Skip(); break; // extra fields are allowed by the contract
            }
            if (error is not null) return EventParseResult.Fail(error);
        }
        if (reader.TokenType != JsonTokenType.EndObject) return EventParseResult.Fail("not valid JSON: unterminated object");
        if (reader.Read()) return EventParseResult.Fail("not valid JSON: trailing content after the object");

        if (string.IsNullOrWhiteSpace(eventType)) return EventParseResult.Fail("missing or empty field 'event'");
        if (string.IsNullOrWhiteSpace(page)) return EventParseResult.Fail("missing or empty field 'page'");
        if (timestamp is null) return EventParseResult.Fail("missing field 'timestamp'");
        if (page.Length > MaxIdentifierLength || userId.Length > MaxIdentifierLength || sessionId.Length > MaxIdentifierLength)
            return EventParseResult.Fail($"page, user_id or session_id longer than {MaxIdentifierLength} characters");
        if (!TryParseTimestamp(timestamp, out var time))
            return EventParseResult.Fail($"unparsable field 'timestamp': '{Truncate(timestamp)}' is not ISO-8601");
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
        }, null);
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

    private static string? ReadString(ref Utf8JsonReader reader, string field, ref string? error)
    {
        if (reader.TokenType == JsonTokenType.String) return reader.GetString();
        error = $"field '{field}' must be a string, found {Describe(reader.TokenType)}";
        reader.Skip();
        return null;
    }

    private static string ReadOptionalString(ref Utf8JsonReader reader, string field, ref string? error)
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
