using System.Globalization;

namespace Analytics.LoadGenerator;

/// <summary>What an event counts as. Every generated event is exactly one of these.</summary>
public enum EventCategory
{
    /// <summary>A well-formed <c>page_view</c> stamped with the current time: counted in the per page and minute record.</summary>
    PageView,

    /// <summary>A well-formed event of another type (click, scroll, ...) stamped with the current time.</summary>
    OtherEvent,

    /// <summary>A well-formed event of any type stamped <c>--late-by</c> in the past.</summary>
    Late,

    /// <summary>A message the pipeline must dead-letter.</summary>
    Malformed,
}

/// <summary>The ways a malformed message is broken.</summary>
public enum MalformedKind
{
    /// <summary>The bytes are not JSON (truncated JSON, plain text or invalid UTF-8).</summary>
    NotJson,

    /// <summary>Valid JSON, but an array rather than an object.</summary>
    JsonArray,

    /// <summary>An object without <c>page</c>.</summary>
    MissingPage,

    /// <summary>An object whose <c>page</c> is the empty string.</summary>
    EmptyPage,

    /// <summary>An object whose <c>timestamp</c> is not an ISO-8601 time.</summary>
    BadTimestamp,

    /// <summary>An object without <c>timestamp</c>.</summary>
    MissingTimestamp,

    /// <summary>An object whose <c>page</c> is a number (<c>"page": 42</c>).</summary>
    WrongType,

    /// <summary>An otherwise well-formed event larger than 64 KiB.</summary>
    Oversized,
}

/// <summary>One generated Kafka message and what it stands for, so deliveries can be recorded exactly.</summary>
public sealed class GeneratedEvent
{
    /// <summary>1-based position of the event in the run.</summary>
    public required long Sequence { get; init; }

    /// <summary>What the event counts as.</summary>
    public required EventCategory Category { get; init; }

    /// <summary>The <c>event</c> field (<c>page_view</c>, <c>click</c>, ...); <see langword="null"/> for malformed messages.</summary>
    public string? EventType { get; init; }

    /// <summary>How the message is broken, for <see cref="EventCategory.Malformed"/>.</summary>
    public MalformedKind? Malformed { get; init; }

    /// <summary>The page the event is about (prefix included); <see langword="null"/> for malformed messages.</summary>
    public string? Page { get; init; }

    /// <summary>The user's number (1 or more); <c>user_id</c> is <c>u-</c> followed by it.</summary>
    public required int UserIndex { get; init; }

    /// <summary>The session id, also the message key.</summary>
    public required string SessionId { get; init; }

    /// <summary>The UTF-8 message key (the session id).</summary>
    public required byte[] Key { get; init; }

    /// <summary>The message value.</summary>
    public required byte[] Payload { get; init; }

    /// <summary>The event time written into the message (UTC, whole milliseconds).</summary>
    public required DateTime Timestamp { get; init; }

    /// <summary>The <c>user_id</c> field.</summary>
    public string UserId => UserIdOf(UserIndex);

    /// <summary>The <c>user_id</c> of user number <paramref name="userIndex"/>.</summary>
    public static string UserIdOf(int userIndex) => "u-" + userIndex.ToString(CultureInfo.InvariantCulture);
}
