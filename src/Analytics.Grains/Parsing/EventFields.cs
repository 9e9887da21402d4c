using System.Text;
using System.Text.Json;

namespace Analytics.Grains.Parsing;

/// <summary>The fields of the event contract the parser reads; anything else is skipped.</summary>
internal enum EventField
{
    Unknown,
    Event,
    Page,
    Timestamp,
    UserId,
    SessionId,
    Referrer,
    UserAgent,
    Country,
    DurationMs,
}

/// <summary>Matches JSON property names to <see cref="EventField"/> on their UTF-8 bytes.</summary>
internal static class EventFields
{
    /// <summary>Identifies the property name the reader is on (escaped names are unescaped first).</summary>
    public static EventField Identify(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped || reader.HasValueSequence
            ? Identify(Encoding.UTF8.GetBytes(reader.GetString()!))
            : Identify(reader.ValueSpan);

    private static EventField Identify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when name.SequenceEqual("page"u8) => EventField.Page,
        5 when name.SequenceEqual("event"u8) => EventField.Event,
        7 when name.SequenceEqual("user_id"u8) => EventField.UserId,
        7 when name.SequenceEqual("country"u8) => EventField.Country,
        8 when name.SequenceEqual("referrer"u8) => EventField.Referrer,
        9 when name.SequenceEqual("timestamp"u8) => EventField.Timestamp,
        10 when name.SequenceEqual("session_id"u8) => EventField.SessionId,
        10 when name.SequenceEqual("user_agent"u8) => EventField.UserAgent,
        11 when name.SequenceEqual("duration_ms"u8) => EventField.DurationMs,
        _ => EventField.Unknown,
    };

    /// <summary>The contract's name of <paramref name="field"/>, for error messages.</summary>
    public static string NameOf(EventField field) => field switch
    {
        EventField.Event => "event",
        EventField.Page => "page",
        EventField.Timestamp => "timestamp",
        EventField.UserId => "user_id",
        EventField.SessionId => "session_id",
        EventField.Referrer => "referrer",
        EventField.UserAgent => "user_agent",
        EventField.Country => "country",
        EventField.DurationMs => "duration_ms",
        _ => field.ToString(),
    };
}
