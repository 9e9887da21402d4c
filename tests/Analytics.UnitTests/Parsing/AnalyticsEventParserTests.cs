using System.Text;
using Analytics.Contracts.Events;
using Analytics.Grains.Parsing;
using Xunit;

namespace Analytics.UnitTests.Parsing;

/// <summary>The JSON event contract of DESIGN.md: what is accepted, and how it maps onto <see cref="AnalyticsEvent"/>.</summary>
public sealed class AnalyticsEventParserTests
{
    internal static readonly DateTime ReceivedAt = new(2026, 6, 22, 10, 5, 0, DateTimeKind.Utc);
    internal static readonly TimeSpan Skew = TimeSpan.FromMinutes(10);

    internal static EventParseResult Parse(string json) => AnalyticsEventParser.Parse(Encoding.UTF8.GetBytes(json), ReceivedAt, Skew);

    private static AnalyticsEvent Accepted(string json)
    {
        var result = Parse(json);
        Assert.True(result.IsSuccess, $"expected success, got: {result.Error}");
        Assert.Null(result.Error);
        return result.Event!;
    }

    [Fact]
    public void SeedEvent_IsAcceptedWithEveryField()
    {
        var evt = Accepted("""{"event":"page_view","user_id":"abc123","session_id":"s-42","page":"/docs","timestamp":"2026-06-22T10:00:00Z"}""");

        Assert.Equal("page_view", evt.EventType);
        Assert.Equal("abc123", evt.UserId);
        Assert.Equal("s-42", evt.SessionId);
        Assert.Equal("/docs", evt.Page);
        Assert.Equal(new DateTime(2026, 6, 22, 10, 0, 0, DateTimeKind.Utc), evt.Timestamp);
        Assert.Equal(DateTimeKind.Utc, evt.Timestamp.Kind);
        Assert.True(evt.IsPageView);
        Assert.Equal(("", 0u, "", ""), (evt.Referrer, evt.DurationMs, evt.UserAgent, evt.Country));
        Assert.Equal((0, 0L, default(DateTime)), (evt.Partition, evt.Offset, evt.ProducedAt));
    }

    [Fact]
    public void OptionalFieldsWithASchemaPlace_AreKept()
    {
        var evt = Accepted("""
            {"event":"page_view","page":"/p","timestamp":"2026-06-22T10:00:00Z",
             "referrer":"https://example.com/","duration_ms":1234,"user_agent":"Mozilla/5.0","country":"DE"}
            """);

        Assert.Equal(("https://example.com/", 1234u, "Mozilla/5.0", "DE"), (evt.Referrer, evt.DurationMs, evt.UserAgent, evt.Country));
    }

    [Fact]
    public void MissingUserAndSessionIds_BecomeEmptyStrings()
    {
        var evt = Accepted("""{"event":"click","page":"/p","timestamp":"2026-06-22T10:00:00Z"}""");

        Assert.Equal(("", ""), (evt.UserId, evt.SessionId));
        Assert.False(evt.IsPageView);
    }

    [Fact]
    public void NullOptionalFields_BecomeEmptyOrZero()
    {
        var evt = Accepted("""
            {"event":"page_view","page":"/p","timestamp":"2026-06-22T10:00:00Z","user_id":null,"session_id":null,
             "referrer":null,"duration_ms":null,"user_agent":null,"country":null}
            """);

        Assert.Equal(("", "", "", 0u, "", ""), (evt.UserId, evt.SessionId, evt.Referrer, evt.DurationMs, evt.UserAgent, evt.Country));
    }

    [Fact]
    public void UnknownFieldsOfEveryKind_AreIgnored()
    {
        var evt = Accepted("""
            {"ab_test":{"variant":"B","weights":[0.5,0.5],"nested":{"deeper":[{"x":null}]}},"event":"page_view",
             "tags":["a","b"],"page":"/p","score":1.5e3,"debug":true,"missing":null,"timestamp":"2026-06-22T10:00:00Z","x":"y"}
            """);

        Assert.Equal(("page_view", "/p"), (evt.EventType, evt.Page));
    }

    [Fact]
    public void FieldOrder_DoesNotMatter()
    {
        var evt = Accepted("""{"timestamp":"2026-06-22T10:00:00Z","page":"/p","user_id":"u","event":"page_view"}""");

        Assert.Equal(("page_view", "/p", "u"), (evt.EventType, evt.Page, evt.UserId));
    }

    [Fact]
    public void EscapedStrings_AreDecoded()
    {
        var evt = Accepted("""{"event":"page_view","page":"\/caf\u00e9?q=\"x\"","user_id":"\u00fc","timestamp":"2026-06-22T10:00:00Z"}""");

        Assert.Equal(("/café?q=\"x\"", "ü"), (evt.Page, evt.UserId));
    }

    [Fact]
    public void Utf8Page_IsDecoded()
    {
        Assert.Equal("/über/日本", Accepted("""{"event":"page_view","page":"/über/日本","timestamp":"2026-06-22T10:00:00Z"}""").Page);
    }

    [Fact]
    public void WhitespaceAroundTheObject_IsAllowed()
    {
        var evt = Accepted(" \r\n\t{ \"event\" : \"page_view\" , \"page\" : \"/p\" , \"timestamp\" : \"2026-06-22T10:00:00Z\" }\n\n");

        Assert.Equal("/p", evt.Page);
    }

    [Fact]
    public void DuplicateField_LastOneWins()
    {
        Assert.Equal("/b", Accepted("""{"event":"page_view","page":"/a","page":"/b","timestamp":"2026-06-22T10:00:00Z"}""").Page);
    }

    [Fact]
    public void FieldNames_AreCaseSensitive_SoACapitalisedFieldIsAnExtraOne()
    {
        var evt = Accepted("""{"event":"page_view","page":"/p","Page":"/P","User_Id":"x","timestamp":"2026-06-22T10:00:00Z"}""");

        Assert.Equal(("/p", ""), (evt.Page, evt.UserId));
    }

    [Theory]
    [InlineData(0.0, 0u)]
    [InlineData(1234.0, 1234u)]
    [InlineData(1234.4, 1234u)]
    [InlineData(1234.6, 1235u)]
    [InlineData(4294967295.0, 4294967295u)]
    public void DurationMs_IsANonNegativeNumber_RoundedToWholeMilliseconds(double value, uint expected)
    {
        var json = $$"""{"event":"page_view","page":"/p","timestamp":"2026-06-22T10:00:00Z","duration_ms":{{value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}}}""";

        Assert.Equal(expected, Accepted(json).DurationMs);
    }

    [Fact]
    public void IdentifiersOfExactlyTheMaximumLength_AreAccepted()
    {
        var page = "/" + new string('a', AnalyticsEventParser.MaxIdentifierLength - 1);
        var user = new string('u', AnalyticsEventParser.MaxIdentifierLength);

        var evt = Accepted($$"""{"event":"page_view","page":"{{page}}","user_id":"{{user}}","session_id":"{{user}}","timestamp":"2026-06-22T10:00:00Z"}""");

        Assert.Equal(2048, evt.Page.Length);
        Assert.Equal(2048, evt.SessionId.Length);
    }

    [Fact]
    public void Parse_IsPure_TheSameBytesGiveEqualEvents()
    {
        const string json = """{"event":"page_view","page":"/p","user_id":"u","timestamp":"2026-06-22T10:00:00.5Z"}""";

        Assert.Equal(Accepted(json), Accepted(json));
    }
}
