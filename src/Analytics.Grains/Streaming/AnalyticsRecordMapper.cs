using Analytics.Contracts;
using Analytics.Grains.Parsing;
using Analytics.Grains.Sessions;
using Analytics.Streaming.Kafka.Mapping;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Streaming;

/// <summary>
/// Maps a JSON record to its page stream and, when it has a session id, the stream of its session shard. Malformed records
/// are rejected with the parser's reason, which sends them to <c>analytics.dead_letters</c>.
/// </summary>
public sealed class AnalyticsRecordMapper(IOptions<PipelineOptions> options, IOptions<SessionOptions> sessions) : IKafkaRecordMapper
{
    private readonly TimeSpan _maxFutureSkew = options.Value.MaxFutureSkew;
    private readonly int _sessionShards = sessions.Value.Shards;

    /// <inheritdoc />
    public void Map(KafkaRecord record, IKafkaMappingSink sink)
    {
        if (record.Value is null)
        {
            sink.Reject("empty message (null value)");
            return;
        }
        var result = AnalyticsEventParser.Parse(record.Value, record.Timestamp, _maxFutureSkew, record.Partition, record.Offset);
        if (result.Event is not { } evt)
        {
            sink.Reject(result.Error!);
            return;
        }
        var page = StreamId.Create(StreamNamespaces.Page, evt.Page);
        if (evt.SessionId.Length == 0)
        {
            sink.Accept(evt, [page]);
        }
        else
        {
            sink.Accept(evt, [page, StreamId.Create(StreamNamespaces.Session, SessionShards.KeyOf(evt.SessionId, _sessionShards))]);
        }
    }
}
