using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// The events of one stream from one poll of one partition. Its token is the first event's offset (ties between
/// namespaces broken by <see cref="EventSequenceTokenV2.EventIndex"/>), so tokens grow along the queue.
/// </summary>
[GenerateSerializer]
[Alias("analytics.kafka.batch-container.v1")]
internal sealed class KafkaBatchContainer : IBatchContainer
{
    public KafkaBatchContainer(StreamId streamId, EventSequenceTokenV2 sequenceToken, List<object> events, List<long> offsets)
    {
        StreamId = streamId;
        Token = sequenceToken;
        Events = events;
        Offsets = offsets;
    }

    [Id(0)] public StreamId StreamId { get; }

    [Id(1)] public EventSequenceTokenV2 Token { get; }

    /// <summary>The mapped events, in offset order.</summary>
    [Id(2)] public List<object> Events { get; }

    /// <summary>The Kafka offset of each event in <see cref="Events"/>.</summary>
    [Id(3)] public List<long> Offsets { get; }

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is T typed)
            {
                yield return Tuple.Create<T, StreamSequenceToken>(typed, new EventSequenceTokenV2(Offsets[i]));
            }
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"[KafkaBatchContainer {StreamId} from {Token} #{Events.Count}]";
}
