using System.Text;
using Analytics.Grains.Parsing;
using Xunit;
using static Analytics.UnitTests.Parsing.AnalyticsEventParserTests;

namespace Analytics.UnitTests.Parsing;

/// <summary>Malformed messages are rejected with a reason that names the problem; they never throw.</summary>
public sealed class AnalyticsEventParserRejectionTests
{
    private const string Ts = "\"timestamp\":\"2026-06-22T10:00:00Z\"";

    private static string Rejected(string json)
    {
        var result = Parse(json);
        Assert.False(result.IsSuccess);
        Assert.Null(result.Event);
        Assert.NotNull(result.Error);
        return result.Error;
    }

    [Fact]
    public void EmptyMessage_IsRejected()
    {
        var result = AnalyticsEventParser.Parse(ReadOnlySpan<byte>.Empty, ReceivedAt, Skew);

        Assert.Equal("empty message", result.Error);
    }

    [Theory]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{")]
    [InlineData("{\"event\":\"page_view\"")]
    [InlineData("{\"event\":\"page_view\",")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts)]
    [InlineData("{\"event\":'page_view'}")]
    [InlineData("{event:\"page_view\"}")]
    [InlineData("{\"event\":\"page_view\",}")]
    [InlineData("{\"event\":\"page_view\" \"page\":\"/p\"}")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "} // comment")]
    [InlineData("\uFEFF{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "}")]
    public void InvalidJson_IsRejectedAsNotValidJson(string json)
    {
        Assert.StartsWith("not valid JSON", Rejected(json), StringComparison.Ordinal);
    }

    /// <summary>
    /// BUG (AnalyticsEventParser.ReadString, AnalyticsEventParser.cs line 107, and Parse catching only JsonException at
    /// line 28): a known string field holding invalid UTF-8 makes Utf8JsonReader.GetString throw
    /// InvalidOperationException ("Cannot transcode invalid UTF-8 JSON text to UTF-16 string"), which escapes Parse.
    /// Expected: a rejection with a reason. (PollBuilder's catch still dead-letters the record, as "mapper failed: ...".)
    /// </summary>
    [Theory]
    [InlineData("page")]
    [InlineData("user_id")]
    [InlineData("event")]
    public void InvalidUtf8InAStringField_IsRejected_NotThrown(string field)
    {
        byte[] bytes = [.. "{\"event\":\"page_view\",\"page\":\"/p\","u8, .. Encoding.UTF8.GetBytes(Ts), .. ",\""u8,
            .. Encoding.UTF8.GetBytes(field), .. "\":\"x"u8, 0xC3, 0x28, .. "\"}"u8];

        var result = AnalyticsEventParser.Parse(bytes, ReceivedAt, Skew);

        Assert.False(result.IsSuccess);
        Assert.False(string.IsNullOrEmpty(result.Error));
    }

    [Fact]
    public void InvalidUtf8InAnUnknownField_IsIgnoredLikeAnyExtraField()
    {
        byte[] bytes = [.. "{\"event\":\"page_view\",\"page\":\"/p\","u8, .. Encoding.UTF8.GetBytes(Ts), .. ",\"extra\":\"x"u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.True(AnalyticsEventParser.Parse(bytes, ReceivedAt, Skew).IsSuccess);
    }

    [Theory]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "} x")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "}{\"event\":\"click\"}")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "}}")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "},")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "} 1")]
    public void TrailingGarbageAfterAGoodObject_IsRejected(string json)
    {
        Assert.StartsWith("not valid JSON", Rejected(json), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + "}]", "not a JSON object (found an array)")]
    [InlineData("[]", "not a JSON object (found an array)")]
    [InlineData("\"page_view\"", "not a JSON object (found a string)")]
    [InlineData("42", "not a JSON object (found a number)")]
    [InlineData("true", "not a JSON object (found a boolean)")]
    [InlineData("null", "not a JSON object (found null)")]
    public void JsonThatIsNotAnObject_IsRejectedNamingWhatItIs(string json, string expected)
    {
        Assert.Equal(expected, Rejected(json));
    }

    [Theory]
    [InlineData("{\"page\":\"/p\"," + Ts + "}")]
    [InlineData("{\"event\":\"\",\"page\":\"/p\"," + Ts + "}")]
    [InlineData("{\"event\":\"   \",\"page\":\"/p\"," + Ts + "}")]
    [InlineData("{}")]
    public void MissingOrEmptyEvent_IsRejected(string json)
    {
        Assert.Equal("missing or empty field 'event'", Rejected(json));
    }

    [Theory]
    [InlineData("{\"event\":\"page_view\"," + Ts + "}")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"\"," + Ts + "}")]
    [InlineData("{\"event\":\"page_view\",\"page\":\" \\t \"," + Ts + "}")]
    public void MissingOrEmptyPage_IsRejected(string json)
    {
        Assert.Equal("missing or empty field 'page'", Rejected(json));
    }

    [Fact]
    public void MissingTimestamp_IsRejected()
    {
        Assert.Equal("missing field 'timestamp'", Rejected("""{"event":"page_view","page":"/p"}"""));
    }

    [Theory]
    [InlineData("", "unparsable field 'timestamp': '' is not ISO-8601")]
    [InlineData("yesterday", "unparsable field 'timestamp': 'yesterday' is not ISO-8601")]
    [InlineData("2026-06-22", "unparsable field 'timestamp': '2026-06-22' is not ISO-8601")]
    [InlineData("2026-02-30T10:00:00Z", "unparsable field 'timestamp': '2026-02-30T10:00:00Z' is not ISO-8601")]
    public void UnparsableTimestamp_IsRejectedQuotingIt(string timestamp, string expected)
    {
        Assert.Equal(expected, Rejected($$"""{"event":"page_view","page":"/p","timestamp":"{{timestamp}}"}"""));
    }

    [Fact]
    public void LongUnparsableTimestamp_IsQuotedTruncated()
    {
        var junk = new string('x', 100);

        var error = Rejected($$"""{"event":"page_view","page":"/p","timestamp":"{{junk}}"}""");

        Assert.Equal($"unparsable field 'timestamp': '{new string('x', 64)}…' is not ISO-8601", error);
    }

    [Theory]
    [InlineData("{\"event\":1,\"page\":\"/p\"," + Ts + "}", "field 'event' must be a string, found a number")]
    [InlineData("{\"event\":null,\"page\":\"/p\"," + Ts + "}", "field 'event' must be a string, found null")]
    [InlineData("{\"event\":\"page_view\",\"page\":[\"/p\"]," + Ts + "}", "field 'page' must be a string, found an array")]
    [InlineData("{\"event\":\"page_view\",\"page\":{\"path\":\"/p\"}," + Ts + "}", "field 'page' must be a string, found an object")]
    [InlineData("{\"event\":\"page_view\",\"page\":true," + Ts + "}", "field 'page' must be a string, found a boolean")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\",\"timestamp\":1750000000}", "field 'timestamp' must be a string, found a number")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\",\"timestamp\":null}", "field 'timestamp' must be a string, found null")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"user_id\":42}", "field 'user_id' must be a string, found a number")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"session_id\":{}}", "field 'session_id' must be a string, found an object")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"referrer\":false}", "field 'referrer' must be a string, found a boolean")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"user_agent\":[]}", "field 'user_agent' must be a string, found an array")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"country\":49}", "field 'country' must be a string, found a number")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"duration_ms\":\"12\"}", "field 'duration_ms' must be a non-negative number, found a string")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"duration_ms\":-1}", "field 'duration_ms' must be a non-negative number, found a number")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"duration_ms\":4294967296}", "field 'duration_ms' must be a non-negative number, found a number")]
    [InlineData("{\"event\":\"page_view\",\"page\":\"/p\"," + Ts + ",\"duration_ms\":true}", "field 'duration_ms' must be a non-negative number, found a boolean")]
    public void WrongType_IsRejectedNamingTheFieldAndWhatWasFound(string json, string expected)
    {
        Assert.Equal(expected, Rejected(json));
    }

    [Fact]
    public void WrongTypeAfterAGoodPrefix_IsRejectedEvenWithTrailingFields()
    {
        var error = Rejected("""{"event":"page_view","page":"/p","user_id":{"a":[1,2,{"b":3}]},"timestamp":"2026-06-22T10:00:00Z","x":1}""");

        Assert.Equal("field 'user_id' must be a string, found an object", error);
    }

    [Theory]
    [InlineData("page")]
    [InlineData("user_id")]
    [InlineData("session_id")]
    public void IdentifierLongerThanTheLimit_IsRejected(string field)
    {
        var tooLong = new string('a', AnalyticsEventParser.MaxIdentifierLength + 1);
        var fields = new Dictionary<string, string> { ["event"] = "page_view", ["page"] = "/p", ["timestamp"] = "2026-06-22T10:00:00Z", [field] = tooLong };
        var json = System.Text.Json.JsonSerializer.Serialize(fields);

        Assert.Equal("page, user_id or session_id longer than 2048 characters", Rejected(json));
    }

    [Fact]
    public void NestingDeeperThanTheLimit_IsRejectedAsNotValidJson_NotAStackOverflow()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 10_000)) + string.Concat(Enumerable.Repeat("]", 10_000));

        var error = Rejected($$"""{"event":"page_view","page":"/p","timestamp":"2026-06-22T10:00:00Z","x":{{deep}}}""");

        Assert.StartsWith("not valid JSON", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FirstProblemInFieldOrder_IsTheOneReported_WhenTheEventFieldIsMissingToo()
    {
        Assert.Equal("missing or empty field 'event'", Rejected("""{"page":"","timestamp":"nope"}"""));
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        var random = new Random(20260622);
        var buffer = new byte[64];
        for (var i = 0; i < 2_000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)'{';

            var result = AnalyticsEventParser.Parse(buffer.AsSpan(0, random.Next(1, buffer.Length)), ReceivedAt, Skew);

            Assert.False(result.IsSuccess);
            Assert.False(string.IsNullOrEmpty(result.Error));
        }
    }
}
