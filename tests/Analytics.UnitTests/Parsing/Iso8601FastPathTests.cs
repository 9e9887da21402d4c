using System.Text;
using Analytics.Grains.Parsing;
using Xunit;

namespace Analytics.UnitTests.Parsing;

/// <summary>The byte-level ISO-8601 fast path never disagrees with the general timestamp parser.</summary>
public sealed class Iso8601FastPathTests
{
    [Theory]
    [InlineData("2026-06-22T10:00:00Z")]
    [InlineData("2026-06-22T10:00:00.123Z")]
    [InlineData("2026-06-22T10:00:59.99999999Z")]
    [InlineData("2026-06-22T10:00:59.1234567890123Z")]
    [InlineData("2026-06-22T12:00:00.250+02:00")]
    [InlineData("2026-06-22T05:30:00-04:30")]
    [InlineData("2026-06-23T00:00:00+14:00")]
    [InlineData("2026-06-22T10:00:00")]
    [InlineData("2024-02-29T23:59:59-00:00")]
    public void CommonShapes_TakeTheFastPath_WithTheGeneralParsersResult(string text)
    {
        Assert.True(Iso8601Utf8.TryParse(Encoding.UTF8.GetBytes(text), out var fast));
        Assert.True(AnalyticsEventParser.TryParseTimestamp(text, out var general));
        Assert.Equal(general, fast);
        Assert.Equal(DateTimeKind.Utc, fast.Kind);
    }

    [Theory]
    [InlineData("2026-06-22 10:00:00Z")]
    [InlineData(" 2026-06-22T10:00:00Z")]
    [InlineData("2026-06-22T10:00:00z")]
    [InlineData("2026-06-22T10:00:00.Z")]
    [InlineData("2026-06-22T10:00:00+14:30")]
    [InlineData("2026-06-22T10:00:00+0200")]
    [InlineData("2026-02-30T10:00:00Z")]
    [InlineData("2026-06-22T24:00:00Z")]
    [InlineData("2026-06-22T10:00:60Z")]
    [InlineData("2026-06-22T10:00")]
    [InlineData("2026-06-22")]
    public void OtherShapes_AreLeftToTheGeneralParser(string text)
    {
        Assert.False(Iso8601Utf8.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void RandomTimestamps_AgreeWithTheGeneralParser()
    {
        var random = new Random(42);
        string[] zones = ["Z", "", "+00:00", "+05:30", "-11:00", "+14:00", "-14:00", "+14:01", "+1:00", "Z "];
        for (var i = 0; i < 20_000; i++)
        {
            var fraction = random.Next(4) switch { 0 => "", 1 => "." + random.Next(1000).ToString("000"), 2 => "." + random.NextInt64(1_000_000_000_000), _ => "." };
            var text = $"{random.Next(1, 10000):0000}-{random.Next(0, 14):00}-{random.Next(0, 33):00}T{random.Next(0, 26):00}:{random.Next(0, 61):00}:{random.Next(0, 61):00}{fraction}{zones[random.Next(zones.Length)]}";
            var generalOk = AnalyticsEventParser.TryParseTimestamp(text, out var general);
            if (Iso8601Utf8.TryParse(Encoding.UTF8.GetBytes(text), out var fast))
            {
                Assert.True(generalOk, text);
                Assert.Equal(general, fast);
            }
        }
    }
}
