using System.Text;
using Analytics.Contracts;
using Analytics.Contracts.Events;
using Analytics.Grains;
using Analytics.Grains.Streaming;
using Analytics.Streaming.Kafka.Mapping;
using Analytics.Streaming.Kafka.Providers;
using Microsoft.Extensions.Options;
using Orleans.Providers.Streams.Common;
using Xunit;

namespace Analytics.UnitTests.Streaming;

/// <summary>One poll: records grouped per stream into containers ordered by token; every record gets exactly one outcome.</summary>
public sealed class PollBuilderTests
{
    private const string Topic = "analytics-events";
    private const int Partition = 4;
    private static readonly DateTime PolledAt = new(2026, 6, 22, 10, 0, 5, DateTimeKind.Utc);

    /// <summary>A mapper driven by the record's value: "A|B" accepts to streams A and B, "!reason" rejects.</summary>
    private sealed class ScriptedMapper(Action<KafkaRecord, IKafkaMappingSink>? script = null) : IKafkaRecordMapper
    {
        public List<long> Mapped { get; } = [];

        public void Map(KafkaRecord record, IKafkaMappingSink sink)
        {
            Mapped.Add(record.Offset);
            if (script is not null)
            {
                script(record, sink);
                return;
            }
            var text = Encoding.UTF8.GetString(record.Value!);
            if (text.StartsWith('!')) sink.Reject(text[1..]);
            else sink.Accept($"v{record.Offset}", text.Split('|').Select(Stream).ToArray());
        }
    }

    private static StreamId Stream(string key) => StreamId.Create(StreamNamespaces.Page, key);

    private static KafkaRecord Record(long offset, string? value) =>
        new(Topic, Partition, offset, PolledAt.AddMilliseconds(offset), null, value is null ? null : Encoding.UTF8.GetBytes(value));

    private static (List<KafkaBatchContainer> Containers, KafkaPollResult Poll) Run(PollBuilder builder, params KafkaRecord[] records)
    {
        foreach (var record in records) builder.Add(record);
        var (containers, poll) = builder.Complete(Topic, Partition, PolledAt);
        return (containers.Cast<KafkaBatchContainer>().ToList(), poll);
    }

    private static (List<KafkaBatchContainer> Containers, KafkaPollResult Poll) Run(params KafkaRecord[] records) =>
        Run(new PollBuilder(new ScriptedMapper(), 1024), records);

    [Fact]
    public void Records_AreGroupedPerStream_KeepingOffsetOrderWithinEachContainer()
    {
        var (containers, _) = Run(Record(10, "A"), Record(11, "B"), Record(12, "A"), Record(13, "C"), Record(14, "B"));

        Assert.Equal(["A", "B", "C"], containers.Select(c => c.StreamId.GetKeyAsString()));
        Assert.Equal([10L, 12L], containers[0].Offsets);
        Assert.Equal(["v10", "v12"], containers[0].Events);
        Assert.Equal([11L, 14L], containers[1].Offsets);
        Assert.Equal([13L], containers[2].Offsets);
    }

    [Fact]
    public void ContainerToken_IsTheFirstOffsetOfItsStream()
    {
        var (containers, _) = Run(Record(10, "A"), Record(11, "B"), Record(12, "A"));

        Assert.Equal(new EventSequenceTokenV2(10, 0), containers[0].Token);
        Assert.Equal(new EventSequenceTokenV2(11, 0), containers[1].Token);
        Assert.Same(containers[0].Token, containers[0].SequenceToken);
    }

    [Fact]
    public void RecordForTwoStreams_OpensTwoContainersWithDistinctTokens()
    {
        var (containers, poll) = Run(Record(5, "page|session"), Record(6, "session"));

        Assert.Equal(new EventSequenceTokenV2(5, 0), containers[0].Token);
        Assert.Equal(new EventSequenceTokenV2(5, 1), containers[1].Token);
        Assert.Equal([5L], containers[0].Offsets);
        Assert.Equal([5L, 6L], containers[1].Offsets);
        Assert.Same(containers[0].Events[0], containers[1].Events[0]);
        Assert.Equal(2, poll.Accepted.Count);
    }

    [Fact]
    public void Containers_AreOrderedByStrictlyIncreasingTokens()
    {
        var random = new Random(42);
        var records = Enumerable.Range(100, 500)
            .Select(o => Record(o, string.Join('|', Enumerable.Range(0, random.Next(1, 3)).Select(_ => $"s{random.Next(60)}").Distinct())))
            .ToArray();

        var (containers, _) = Run(records);

        Assert.Equal(containers.Select(c => c.StreamId).Distinct().Count(), containers.Count);
        for (var i = 1; i < containers.Count; i++) Assert.True(containers[i - 1].Token.CompareTo(containers[i].Token) < 0);
    }

    [Fact]
    public void Poll_SummarisesOffsetsAndOutcomesInOffsetOrder()
    {
        var (_, poll) = Run(Record(20, "A"), Record(21, "!bad"), Record(22, "B"), Record(23, "!worse"));

        Assert.Equal((Topic, Partition, 20L, 23L, PolledAt, false), (poll.Topic, poll.Partition, poll.FirstOffset, poll.LastOffset, poll.PolledAt, poll.IsEmpty));
        Assert.Equal([new KafkaAcceptedRecord(20, PolledAt.AddMilliseconds(20), "v20"), new KafkaAcceptedRecord(22, PolledAt.AddMilliseconds(22), "v22")], poll.Accepted);
        Assert.Equal([(21L, "bad"), (23L, "worse")], poll.Rejected.Select(r => (r.Record.Offset, r.Reason)));
        Assert.Equal("!bad", Encoding.UTF8.GetString(poll.Rejected[0].Record.Value!));
    }

    [Fact]
    public void AllRecordsRejected_GiveAPollWithoutContainers()
    {
        var (containers, poll) = Run(Record(7, "!a"), Record(8, "!b"));

        Assert.Empty(containers);
        Assert.Equal((7L, 8L, 2), (poll.FirstOffset, poll.LastOffset, poll.Rejected.Count));
    }

    [Fact]
    public void OversizedRecord_IsRejectedWithoutCallingTheMapper()
    {
        var mapper = new ScriptedMapper();
        var builder = new PollBuilder(mapper, maxRecordBytes: 8);

        var (containers, poll) = Run(builder, Record(1, "123456789"), Record(2, "12345678"));

        Assert.Equal([2L], mapper.Mapped);
        Assert.Equal("record of 9 bytes exceeds the limit of 8 bytes", Assert.Single(poll.Rejected).Reason);
        Assert.Equal("12345678", Assert.Single(containers).StreamId.GetKeyAsString());
    }

    [Fact]
    public void TombstoneRecord_IsHandedToTheMapper_NotTreatedAsOversized()
    {
        var mapper = new ScriptedMapper((r, sink) => sink.Reject(r.Value is null ? "tombstone" : "value"));

        var (_, poll) = Run(new PollBuilder(mapper, maxRecordBytes: 0), Record(1, null));

        Assert.Equal("tombstone", Assert.Single(poll.Rejected).Reason);
    }

    [Fact]
    public void MapperException_BecomesARejection_AndTheNextRecordIsStillMapped()
    {
        var mapper = new ScriptedMapper((r, sink) =>
        {
            if (r.Offset == 1) throw new FormatException("boom");
            sink.Accept("ok", [Stream("A")]);
        });

        var (containers, poll) = Run(new PollBuilder(mapper, 1024), Record(1, "x"), Record(2, "x"));

        Assert.Equal("mapper failed: FormatException: boom", Assert.Single(poll.Rejected).Reason);
        Assert.Equal(1, poll.Rejected[0].Record.Offset);
        Assert.Equal([2L], Assert.Single(containers).Offsets);
    }

    [Fact]
    public void MapperExceptionAfterAccepting_KeepsTheRecordAccepted()
    {
        var mapper = new ScriptedMapper((_, sink) =>
        {
            sink.Accept("ok", [Stream("A")]);
            throw new InvalidOperationException("late failure");
        });

        var (containers, poll) = Run(new PollBuilder(mapper, 1024), Record(1, "x"));

        Assert.Single(poll.Accepted);
        Assert.Empty(poll.Rejected);
        Assert.Equal([1L], Assert.Single(containers).Offsets);
    }

    [Fact]
    public void MapperReportingNothing_IsRejected()
    {
        var (containers, poll) = Run(new PollBuilder(new ScriptedMapper((_, _) => { }), 1024), Record(3, "x"));

        Assert.Empty(containers);
        Assert.Equal("mapper reported no outcome", Assert.Single(poll.Rejected).Reason);
    }

    [Fact]
    public void MapperRejectingThenAccepting_StaysRejected_AndOpensNoContainer()
    {
        var mapper = new ScriptedMapper((_, sink) =>
        {
            sink.Reject("first");
            sink.Accept("second", [Stream("A")]);
        });

        var (containers, poll) = Run(new PollBuilder(mapper, 1024), Record(3, "x"));

        Assert.Empty(containers);
        Assert.Empty(poll.Accepted);
        Assert.Equal("first", Assert.Single(poll.Rejected).Reason);
    }

    [Fact]
    public void MapperAcceptingThenRejecting_StaysAccepted()
    {
        var mapper = new ScriptedMapper((_, sink) =>
        {
            sink.Accept("first", [Stream("A")]);
            sink.Reject("second");
        });

        var (containers, poll) = Run(new PollBuilder(mapper, 1024), Record(3, "x"));

        Assert.Single(poll.Accepted);
        Assert.Empty(poll.Rejected);
        Assert.Single(containers);
    }

    [Fact]
    public void MapperAcceptingTwice_DeliversTheRecordOnce()
    {
        var mapper = new ScriptedMapper((_, sink) =>
        {
            sink.Accept("first", [Stream("A")]);
            sink.Accept("second", [Stream("A")]);
        });

        var (containers, poll) = Run(new PollBuilder(mapper, 1024), Record(3, "x"));

        Assert.Equal(["first"], Assert.Single(containers).Events);
        Assert.Single(poll.Accepted);
        Assert.Empty(poll.Rejected);
    }

    [Fact]
    public void AcceptedWithoutStreams_IsAccepted_ButOpensNoContainer()
    {
        var (containers, poll) = Run(new PollBuilder(new ScriptedMapper((_, sink) => sink.Accept("v", [])), 1024), Record(3, "x"));

        Assert.Empty(containers);
        Assert.Single(poll.Accepted);
    }

    [Fact]
    public void AcceptOrRejectOutsideMap_Throws()
    {
        var builder = new PollBuilder(new ScriptedMapper(), 1024);

        Assert.Throws<InvalidOperationException>(() => builder.Accept("v", [Stream("A")]));
        Assert.Throws<InvalidOperationException>(() => builder.Reject("r"));
    }

    [Fact]
    public void CountAndContainerCount_TrackTheCurrentPoll()
    {
        var builder = new PollBuilder(new ScriptedMapper(), 1024);

        builder.Add(Record(1, "A|B"));
        builder.Add(Record(2, "A"));
        builder.Add(Record(3, "!no"));

        Assert.Equal((3, 2), (builder.Count, builder.ContainerCount));
    }

    [Fact]
    public void Complete_ResetsForTheNextPoll_WithoutTouchingTheLastOne()
    {
        var builder = new PollBuilder(new ScriptedMapper(), 1024);
        var (firstContainers, firstPoll) = Run(builder, Record(1, "A"), Record(2, "!x"));

        var (emptyContainers, emptyPoll) = Run(builder);
        var (nextContainers, nextPoll) = Run(builder, Record(3, "A"));

        Assert.Empty(emptyContainers);
        Assert.True(emptyPoll.IsEmpty);
        Assert.Equal((-1L, -1L, 0, 0), (emptyPoll.FirstOffset, emptyPoll.LastOffset, emptyPoll.Accepted.Count, emptyPoll.Rejected.Count));
        Assert.Equal((0, 0), (builder.Count, builder.ContainerCount));
        Assert.Equal([1L], firstContainers[0].Offsets);
        Assert.Equal((1, 1), (firstPoll.Accepted.Count, firstPoll.Rejected.Count));
        Assert.Equal([3L], Assert.Single(nextContainers).Offsets);
        Assert.Equal(new EventSequenceTokenV2(3, 0), nextContainers[0].Token);
        Assert.Equal((3L, 3L), (nextPoll.FirstOffset, nextPoll.LastOffset));
    }

    [Fact]
    public void ContainerEvents_CarryTheirOwnOffsetsAsTokens_AndFilterByType()
    {
        var (containers, _) = Run(Record(10, "A"), Record(11, "A"));

        var events = containers[0].GetEvents<string>().ToList();

        Assert.Equal(["v10", "v11"], events.Select(e => e.Item1));
        Assert.Equal([new EventSequenceTokenV2(10), new EventSequenceTokenV2(11)], events.Select(e => e.Item2));
        Assert.Empty(containers[0].GetEvents<AnalyticsEvent>());
        Assert.False(containers[0].ImportRequestContext());
    }

    [Fact]
    public void WithTheAnalyticsMapper_GoodRecordsReachPageAndSessionContainers_AndBadOnesAreRejected()
    {
        var mapper = new AnalyticsRecordMapper(Options.Create(new PipelineOptions()), Options.Create(new Analytics.Grains.Sessions.SessionOptions()));
        var builder = new PollBuilder(mapper, maxRecordBytes: 300);
        static string Json(string page, string session) =>
            $$"""{"event":"page_view","page":"{{page}}","session_id":"{{session}}","user_id":"u","timestamp":"2026-06-22T10:00:00Z"}""";
        static string ShardOf(string session) => Analytics.Grains.Sessions.SessionShards.KeyOf(session, new Analytics.Grains.Sessions.SessionOptions().Shards);
        KafkaRecord R(long offset, string json) => new(Topic, Partition, offset, PolledAt, null, Encoding.UTF8.GetBytes(json));
        byte[] invalidUtf8 = [.. "{\"event\":\"page_view\",\"page\":\"/x"u8, 0xC3, 0x28, .. "\",\"timestamp\":\"2026-06-22T10:00:00Z\"}"u8];

        var (containers, poll) = Run(builder,
            R(0, Json("/a", "s1")), R(1, "{oops"), R(2, Json("/b", "")), R(3, Json("/a", "s1")),
            R(4, new string(' ', 301)), new KafkaRecord(Topic, Partition, 5, PolledAt, null, invalidUtf8), R(6, Json("/b", "s2")));

        Assert.Equal(
            [(StreamNamespaces.Page, "/a", 0L), (StreamNamespaces.Session, ShardOf("s1"), 0L), (StreamNamespaces.Page, "/b", 2L), (StreamNamespaces.Session, ShardOf("s2"), 6L)],
            containers.Select(c => (c.StreamId.GetNamespace()!, c.StreamId.GetKeyAsString(), c.Token.SequenceNumber)));
        Assert.Equal([0L, 3L], containers[0].Offsets);
        Assert.Equal([2L, 6L], containers[2].Offsets);
        Assert.Equal([1L, 4L, 5L], poll.Rejected.Select(r => r.Record.Offset));
        Assert.StartsWith("not valid JSON", poll.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.Equal("record of 301 bytes exceeds the limit of 300 bytes", poll.Rejected[1].Reason);
        Assert.All(containers.SelectMany(c => c.Events), e => Assert.Equal(Partition, ((AnalyticsEvent)e).Partition));
    }
}
