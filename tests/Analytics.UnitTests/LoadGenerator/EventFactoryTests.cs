using System.Globalization;
using System.Text.Json;
using Analytics.LoadGenerator;
using Xunit;

namespace Analytics.UnitTests.LoadGenerator;

public class EventFactoryTests
{
    private static readonly EventFields Sample = new(
        EventType: "page_view",
        UserIndex: 123,
        SessionId: "s-run1-42",
        Page: "/docs/x",
        Timestamp: new DateTime(2026, 6, 22, 10, 0, 0, 123, DateTimeKind.Utc),
        Referrer: "https://www.google.com/",
        DurationMs: 4567,
        UserAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        Country: "DE",
        RunId: "run1");

    [Fact]
    public void WellFormedEvent_HasTheContractShape_AndRoundTrips()
    {
        var bytes = new EventFactory().Write(Sample);

        using var json = JsonDocument.Parse(bytes);
        var root = json.RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        Assert.Equal(
            ["event", "user_id", "session_id", "page", "timestamp", "referrer", "duration_ms", "user_agent", "country", "run_id"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("page_view", root.GetProperty("event").GetString());
        Assert.Equal("u-123", root.GetProperty("user_id").GetString());
        Assert.Equal("s-run1-42", root.GetProperty("session_id").GetString());
        Assert.Equal("/docs/x", root.GetProperty("page").GetString());
        Assert.Equal("2026-06-22T10:00:00.123Z", root.GetProperty("timestamp").GetString());
        Assert.Equal("https://www.google.com/", root.GetProperty("referrer").GetString());
        Assert.Equal(4567, root.GetProperty("duration_ms").GetInt32());
        Assert.Equal(Sample.UserAgent, root.GetProperty("user_agent").GetString());
        Assert.Equal("DE", root.GetProperty("country").GetString());
        Assert.Equal("run1", root.GetProperty("run_id").GetString());

        var parsed = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(Sample.Timestamp, parsed.UtcDateTime);
    }

    [Fact]
    public void DirectTraffic_OmitsTheReferrer()
    {
        var bytes = new EventFactory().Write(Sample with { Referrer = null });

        using var json = JsonDocument.Parse(bytes);
        Assert.False(json.RootElement.TryGetProperty("referrer", out _));
    }

    [Fact]
    public void ConsecutiveWrites_DoNotLeakIntoEachOther()
    {
        var factory = new EventFactory();

        var big = factory.WriteMalformed(MalformedKind.Oversized, Sample, new Random(1));
        var small = factory.Write(Sample with { Page = "/" });

        Assert.True(big.Length > EventFactory.MaxEventBytes);
        using var json = JsonDocument.Parse(small);
        Assert.Equal("/", json.RootElement.GetProperty("page").GetString());
        Assert.True(small.Length < 1024);
    }

    public static TheoryData<MalformedKind> AllKinds() => [.. Enum.GetValues<MalformedKind>()];

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void MalformedMessages_BreakTheContractTheWayTheirKindSays(MalformedKind kind)
    {
        var factory = new EventFactory();
        var random = new Random(3);

        // Several draws, so every variant of a kind (e.g. the three non-JSON texts) is covered.
        for (var i = 0; i < 30; i++)
        {
            var bytes = factory.WriteMalformed(kind, Sample, random);
            Assert.True(IsMalformed(bytes, out var reason), $"{kind} #{i} passes as a valid event: {System.Text.Encoding.UTF8.GetString(bytes)}");
            Assert.Equal(ExpectedReason(kind), reason);
        }
    }

    [Fact]
    public void TheWellFormedEvent_PassesTheSameCheck()
    {
        Assert.False(IsMalformed(new EventFactory().Write(Sample), out var reason), reason);
    }

    private static string ExpectedReason(MalformedKind kind) => kind switch
    {
        MalformedKind.NotJson => "not json",
        MalformedKind.JsonArray => "not an object",
        MalformedKind.MissingPage => "missing page",
        MalformedKind.EmptyPage => "empty page",
        MalformedKind.WrongType => "page not a string",
        MalformedKind.MissingTimestamp => "missing timestamp",
        MalformedKind.BadTimestamp => "bad timestamp",
        MalformedKind.Oversized => "oversized",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The contract's validation, written independently of the generator: the first rule broken wins.</summary>
    private static bool IsMalformed(byte[] bytes, out string reason)
    {
        reason = "";
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(bytes);
        }
        catch (JsonException)
        {
            reason = "not json";
            return true;
        }

        using (json)
        {
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = "not an object";
            }
            else if (!root.TryGetProperty("page", out var page))
            {
                reason = "missing page";
            }
            else if (page.ValueKind != JsonValueKind.String)
            {
                reason = "page not a string";
            }
            else if (page.GetString()!.Length == 0)
            {
                reason = "empty page";
            }
            else if (!root.TryGetProperty("timestamp", out var timestamp))
            {
                reason = "missing timestamp";
            }
            else if (timestamp.ValueKind != JsonValueKind.String
                || !DateTimeOffset.TryParse(timestamp.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                reason = "bad timestamp";
            }
            else if (bytes.Length > 64 * 1024)
            {
                reason = "oversized";
            }
        }

        return reason.Length > 0;
    }
}
