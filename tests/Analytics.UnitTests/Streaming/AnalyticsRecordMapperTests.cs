using System.Text;
using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Grains;
using Analytics.Grains.Sessions;
using Analytics.Grains.Streaming;
using Analytics.Streaming.Kafka.Mapping;
using Microsoft.Extensions.Options;
using Xunit;

namespace Analytics.UnitTests.Streaming;

/// <summary>Kafka record to streams: the page stream always, the session stream only with a session id; one outcome per record.</summary>
public sealed class AnalyticsRecordMapperTests
{
    private static readonly DateTime KafkaTime = new(2026, 6, 22, 10, 0, 1, 250, DateTimeKind.Utc);

    private static readonly AnalyticsRecordMapper Mapper = new(Options.Create(new PipelineOptions()), Options.Create(new SessionOptions()));

    private static KafkaRecord Record(string? json, int partition = 2, long offset = 1234, DateTime? timestamp = null) =>
        new("analytics-events", partition, offset, timestamp ?? KafkaTime, Key: null, json is null ? null : Encoding.UTF8.GetBytes(json));

    private static RecordingSink Map(KafkaRecord record, AnalyticsRecordMapper? mapper = null)
    {
        var sink = new RecordingSink();
        (mapper ?? Mapper).Map(record, sink);
        Assert.Equal(1, sink.Outcomes);
        return sink;
    }

    [Fact]
    public void EventWithASessionId_GoesToItsPageStreamAndItsSessionShardStream()
    {
        var sink = Map(Record("""{"event":"page_view","user_id":"abc123","session_id":"s-42","page":"/docs","timestamp":"2026-06-22T10:00:00Z"}"""));

        var (value, streams) = Assert.Single(sink.Accepted);
        Assert.Equal([StreamId.Create(StreamNamespaces.Page, "/docs"), StreamId.Create(StreamNamespaces.Session, SessionShards.KeyOf("s-42", new SessionOptions().Shards))], streams);
        var evt = Assert.IsType<AnalyticsEvent>(value);
        Assert.Equal(("page_view", "/docs", "abc123", "s-42"), (evt.EventType, evt.Page, evt.UserId, evt.SessionId));
    }

    [Theory]
    [InlineData("""{"event":"page_view","page":"/docs","timestamp":"2026-06-22T10:00:00Z"}""")]
    [InlineData("""{"event":"page_view","page":"/docs","session_id":"","timestamp":"2026-06-22T10:00:00Z"}""")]
    [InlineData("""{"event":"page_view","page":"/docs","session_id":null,"timestamp":"2026-06-22T10:00:00Z"}""")]
    public void EventWithoutASessionId_GoesToItsPageStreamOnly(string json)
    {
        var sink = Map(Record(json));

        var (_, streams) = Assert.Single(sink.Accepted);
        Assert.Equal([StreamId.Create(StreamNamespaces.Page, "/docs")], streams);
    }

    [Fact]
    public void AcceptedEvent_CarriesTheKafkaPartitionOffsetAndTimestamp()
    {
        var sink = Map(Record("""{"event":"click","page":"/p","timestamp":"2026-06-22T10:00:00.5Z"}""", partition: 7, offset: 987_654_321_012));

        var evt = (AnalyticsEvent)sink.Accepted[0].Value;
        Assert.Equal((7, 987_654_321_012L, KafkaTime), (evt.Partition, evt.Offset, evt.ProducedAt));
        Assert.Equal(new DateTime(2026, 6, 22, 10, 0, 0, 500, DateTimeKind.Utc), evt.Timestamp);
    }

    [Fact]
    public void PageStreamKey_IsThePagePathExactly_SessionStreamKeyItsShard()
    {
        var sink = Map(Record("""{"event":"page_view","page":"/Docs/?q=1","session_id":"S 1","timestamp":"2026-06-22T10:00:00Z"}"""));

        var streams = sink.Accepted[0].Streams;
        Assert.Equal("/Docs/?q=1", streams[0].GetKeyAsString());
        Assert.Equal(SessionShards.KeyOf("S 1", new SessionOptions().Shards), streams[1].GetKeyAsString());
        Assert.Equal(StreamNamespaces.Page, streams[0].GetNamespace());
        Assert.Equal(StreamNamespaces.Session, streams[1].GetNamespace());
    }

    [Fact]
    public void TombstoneRecord_IsRejected()
    {
        var sink = Map(Record(null));

        Assert.Equal(["empty message (null value)"], sink.Rejected);
    }

    [Fact]
    public void EmptyRecord_IsRejected()
    {
        var sink = Map(Record(""));

        Assert.Equal(["empty message"], sink.Rejected);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "not a JSON object (found an array)")]
    [InlineData("""{"event":"page_view","timestamp":"2026-06-22T10:00:00Z"}""", "missing or empty field 'page'")]
    [InlineData("""{"event":"page_view","page":"/p"}""", "missing field 'timestamp'")]
    [InlineData("""{"event":"page_view","page":"/p","timestamp":"soon"}""", "unparsable field 'timestamp'")]
    public void MalformedRecord_IsRejectedWithTheParsersReason(string json, string reasonStart)
    {
        var sink = Map(Record(json));

        Assert.Empty(sink.Accepted);
        Assert.StartsWith(reasonStart, Assert.Single(sink.Rejected), StringComparison.Ordinal);
    }

    [Fact]
    public void FutureSkew_IsJudgedAgainstTheKafkaTimestamp()
    {
        const string json = """{"event":"page_view","page":"/p","timestamp":"2026-06-22T10:10:01.25Z"}""";

        var withinSkew = Map(Record(json));
        var pastSkew = Map(Record(json, timestamp: KafkaTime.AddTicks(-1)));

        Assert.Single(withinSkew.Accepted);
        Assert.StartsWith("field 'timestamp' 2026-06-22T10:10:01.2500000Z is more than 00:10:00 after", Assert.Single(pastSkew.Rejected), StringComparison.Ordinal);
    }

    [Fact]
    public void FutureSkew_ComesFromThePipelineOptions()
    {
        var strict = new AnalyticsRecordMapper(Options.Create(new PipelineOptions { MaxFutureSkew = TimeSpan.FromSeconds(1) }), Options.Create(new SessionOptions()));
        var json = """{"event":"page_view","page":"/p","timestamp":"2026-06-22T10:00:03Z"}""";

        var sink = Map(Record(json), strict);

        Assert.StartsWith("field 'timestamp'", Assert.Single(sink.Rejected), StringComparison.Ordinal);
    }
}
