using Analytics.Streaming.Kafka.Mapping;
using Orleans.Providers.Streams.Common;
using Orleans.Streams;

namespace Analytics.Streaming.Kafka.Providers;

/// <summary>
/// Collects one poll's records: maps each, groups accepted values per stream into batch containers, and keeps
/// rejected records for the dead-letter path. One instance per receiver, reused across polls.
/// </summary>
internal sealed class PollBuilder(IKafkaRecordMapper mapper, int maxRecordBytes) : IKafkaMappingSink
{
    private readonly Dictionary<StreamId, KafkaBatchContainer> _byStream = new();
    private readonly List<KafkaBatchContainer> _order = new();
    private List<KafkaAcceptedRecord> _accepted = new();
    private List<KafkaRejectedRecord> _rejected = new();
    private KafkaRecord? _current;
    private bool _outcomeReported;
    private long _first = -1;
    private long _last = -1;

    public int Count { get; private set; }

    public int ContainerCount => _order.Count;

    public void Add(KafkaRecord record)
    {
        if (_first < 0) _first = record.Offset;
        _last = record.Offset;
        Count++;
        _current = record;
        _outcomeReported = false;
        if (record.Value is { Length: var size } && size > maxRecordBytes)
        {
            Reject($"record of {size} bytes exceeds the limit of {maxRecordBytes} bytes");
        }
        else
        {
            try
            {
                mapper.Map(record, this);
            }
            catch (Exception ex)
            {
                // A mapper bug must not stop the partition: the record is kept as a dead letter with the reason.
                if (!_outcomeReported) Reject($"mapper failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
        if (!_outcomeReported) Reject("mapper reported no outcome");
        _current = null;
    }

    public void Accept(object value, ReadOnlySpan<StreamId> streams)
    {
        var record = _current ?? throw new InvalidOperationException("Accept called outside Map.");
        if (_outcomeReported) throw new InvalidOperationException("The mapper reported two outcomes for one record.");
        _outcomeReported = true;
        _accepted.Add(new KafkaAcceptedRecord(record.Offset, record.Timestamp, value));
        for (var i = 0; i < streams.Length; i++)
        {
            if (!_byStream.TryGetValue(streams[i], out var container))
            {
                // EventIndex = position in the record's stream list, so two containers never share a token.
                container = new KafkaBatchContainer(streams[i], new EventSequenceTokenV2(record.Offset, i), [], []);
                _byStream.Add(streams[i], container);
                _order.Add(container);
            }
            container.Events.Add(value);
            container.Offsets.Add(record.Offset);
        }
    }

    public void Reject(string reason)
    {
        var record = _current ?? throw new InvalidOperationException("Reject called outside Map.");
        if (_outcomeReported) return; // first outcome wins
        _outcomeReported = true;
        _rejected.Add(new KafkaRejectedRecord(record, reason));
    }

    /// <summary>Returns the containers (ordered by token) and the poll summary, and resets for the next poll.</summary>
    public (List<IBatchContainer> Containers, KafkaPollResult Poll) Complete(string topic, int partition, DateTime polledAt)
    {
        var containers = new List<IBatchContainer>(_order.Count);
        _order.Sort(static (a, b) => a.Token.CompareTo(b.Token));
        containers.AddRange(_order);
        var poll = new KafkaPollResult
        {
            Topic = topic,
            Partition = partition,
            FirstOffset = _first,
            LastOffset = _last,
            Accepted = _accepted,
            Rejected = _rejected,
            PolledAt = polledAt,
        };
        _byStream.Clear();
        _order.Clear();
        _accepted = new();
        _rejected = new();
        _first = _last = -1;
        Count = 0;
        return (containers, poll);
    }
}
