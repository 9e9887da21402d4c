using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Analytics.LoadGenerator;

/// <summary>The fields of one event, as they go into the JSON message.</summary>
/// <param name="EventType">The <c>event</c> field.</param>
/// <param name="UserIndex">The user's number (<c>user_id</c> is <c>u-N</c>).</param>
/// <param name="SessionId">The <c>session_id</c> field.</param>
/// <param name="Page">The <c>page</c> field.</param>
/// <param name="Timestamp">The <c>timestamp</c> field (UTC), written with millisecond precision.</param>
/// <param name="Referrer">The <c>referrer</c> field; <see langword="null"/> omits it (direct traffic).</param>
/// <param name="DurationMs">The <c>duration_ms</c> field: time spent on the page.</param>
/// <param name="UserAgent">The <c>user_agent</c> field.</param>
/// <param name="Country">The <c>country</c> field (ISO 3166 alpha-2).</param>
/// <param name="RunId">The <c>run_id</c> field.</param>
public readonly record struct EventFields(
    string EventType,
    int UserIndex,
    string SessionId,
    string Page,
    DateTime Timestamp,
    string? Referrer,
    int DurationMs,
    string UserAgent,
    string Country,
    string RunId);

/// <summary>
/// Writes events as the DESIGN.md JSON contract (<c>event</c>, <c>user_id</c>, <c>session_id</c>, <c>page</c>,
/// <c>timestamp</c> plus the extras <c>referrer</c>, <c>duration_ms</c>, <c>user_agent</c>, <c>country</c>,
/// <c>run_id</c>), and writes malformed messages of each <see cref="MalformedKind"/>.
/// </summary>
/// <remarks>Reuses one buffer: an instance is not thread-safe.</remarks>
[SuppressMessage("Design", "CA1001", Justification = "Utf8JsonWriter holds no unmanaged resources; its Dispose only flushes, which every write does.")]
public sealed class EventFactory
{
    /// <summary>The size above which the pipeline rejects a message: 64 KiB.</summary>
    public const int MaxEventBytes = 64 * 1024;

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    private static readonly JsonEncodedText EventName = JsonEncodedText.Encode("event");
    private static readonly JsonEncodedText UserIdName = JsonEncodedText.Encode("user_id");
    private static readonly JsonEncodedText SessionIdName = JsonEncodedText.Encode("session_id");
    private static readonly JsonEncodedText PageName = JsonEncodedText.Encode("page");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText ReferrerName = JsonEncodedText.Encode("referrer");
    private static readonly JsonEncodedText DurationName = JsonEncodedText.Encode("duration_ms");
    private static readonly JsonEncodedText UserAgentName = JsonEncodedText.Encode("user_agent");
    private static readonly JsonEncodedText CountryName = JsonEncodedText.Encode("country");
    private static readonly JsonEncodedText RunIdName = JsonEncodedText.Encode("run_id");
    private static readonly JsonEncodedText PaddingName = JsonEncodedText.Encode("padding");

    private static readonly string[] BadTimestamps = ["not-a-timestamp", "2026-13-45T25:61:00Z", "yesterday"];

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;

    /// <summary>Creates a factory.</summary>
    public EventFactory()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        });
    }

    /// <summary>Formats a timestamp as the events carry it: <c>2026-06-22T10:00:00.123Z</c>.</summary>
    public static string FormatTimestamp(DateTime timestamp) =>
        timestamp.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes a well-formed event.</summary>
    public byte[] Write(in EventFields fields)
    {
        Begin();
        WriteObject(fields, PageMode.String, TimestampMode.Valid, padding: 0);
        return End();
    }

    /// <summary>Writes a message broken as <paramref name="kind"/> says, built around <paramref name="fields"/>.</summary>
    /// <param name="kind">How to break it.</param>
    /// <param name="fields">The event it would otherwise have been.</param>
    /// <param name="random">Picks among variants of the same kind (for example which non-JSON text).</param>
    public byte[] WriteMalformed(MalformedKind kind, in EventFields fields, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        switch (kind)
        {
            case MalformedKind.NotJson:
                return WriteNotJson(fields, random.Next(3));
            case MalformedKind.JsonArray:
                Begin();
                _writer.WriteStartArray();
                WriteObject(fields, PageMode.String, TimestampMode.Valid, padding: 0);
                _writer.WriteEndArray();
                return End();
            case MalformedKind.MissingPage:
                return WriteVariant(fields, PageMode.Missing, TimestampMode.Valid, padding: 0);
            case MalformedKind.EmptyPage:
                return WriteVariant(fields, PageMode.Empty, TimestampMode.Valid, padding: 0);
            case MalformedKind.BadTimestamp:
                Begin();
                WriteObject(fields, PageMode.String, TimestampMode.Invalid, padding: 0, BadTimestamps[random.Next(BadTimestamps.Length)]);
                return End();
            case MalformedKind.MissingTimestamp:
                return WriteVariant(fields, PageMode.String, TimestampMode.Missing, padding: 0);
            case MalformedKind.WrongType:
                return WriteVariant(fields, PageMode.Number, TimestampMode.Valid, padding: 0);
            case MalformedKind.Oversized:
                return WriteVariant(fields, PageMode.String, TimestampMode.Valid, MaxEventBytes + random.Next(1, 2048));
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown malformed kind.");
        }
    }

    private byte[] WriteNotJson(in EventFields fields, int variant)
    {
        switch (variant)
        {
            case 0:
                // A JSON object cut in half: unterminated.
                var whole = Write(fields);
                return whole.AsSpan(0, whole.Length / 2).ToArray();
            case 1:
                return Encoding.UTF8.GetBytes(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{fields.EventType} {fields.Page} u-{fields.UserIndex} {FormatTimestamp(fields.Timestamp)}"));
            default:
                // Bytes that are not UTF-8 at all.
                byte[] garbage = [0xFF, 0xFE, 0x00, 0xC3, 0x28, .. "page_view"u8];
                return garbage;
        }
    }

    private byte[] WriteVariant(in EventFields fields, PageMode page, TimestampMode timestamp, int padding)
    {
        Begin();
        WriteObject(fields, page, timestamp, padding);
        return End();
    }

    private void Begin()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
    }

    private byte[] End()
    {
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteObject(in EventFields f, PageMode page, TimestampMode timestamp, int padding, string? badTimestamp = null)
    {
        var w = _writer;
        w.WriteStartObject();
        w.WriteString(EventName, f.EventType);

        Span<char> chars = stackalloc char[24];
        chars[0] = 'u';
        chars[1] = '-';
        f.UserIndex.TryFormat(chars[2..], out var digits, default, CultureInfo.InvariantCulture);
        w.WriteString(UserIdName, chars[..(2 + digits)]);
        w.WriteString(SessionIdName, f.SessionId);

        switch (page)
        {
            case PageMode.String:
                w.WriteString(PageName, f.Page);
                break;
            case PageMode.Empty:
                w.WriteString(PageName, "");
                break;
            case PageMode.Number:
                w.WriteNumber(PageName, 42);
                break;
        }

        switch (timestamp)
        {
            case TimestampMode.Valid:
                f.Timestamp.TryFormat(chars, out var written, TimestampFormat, CultureInfo.InvariantCulture);
                w.WriteString(TimestampName, chars[..written]);
                break;
            case TimestampMode.Invalid:
                w.WriteString(TimestampName, badTimestamp);
                break;
        }

        if (f.Referrer is not null)
        {
            w.WriteString(ReferrerName, f.Referrer);
        }

        w.WriteNumber(DurationName, f.DurationMs);
        w.WriteString(UserAgentName, f.UserAgent);
        w.WriteString(CountryName, f.Country);
        w.WriteString(RunIdName, f.RunId);
        if (padding > 0)
        {
            w.WriteString(PaddingName, new string('x', padding));
        }

        w.WriteEndObject();
    }

    private enum PageMode
    {
        String,
        Missing,
        Empty,
        Number,
    }

    private enum TimestampMode
    {
        Valid,
        Missing,
        Invalid,
    }
}
