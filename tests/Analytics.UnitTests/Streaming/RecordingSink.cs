using Analytics.Streaming.Kafka.Mapping;

namespace Analytics.UnitTests.Streaming;

/// <summary>Records every outcome a mapper reports, in order.</summary>
internal sealed class RecordingSink : IKafkaMappingSink
{
    public List<(object Value, StreamId[] Streams)> Accepted { get; } = [];

    public List<string> Rejected { get; } = [];

    public int Outcomes => Accepted.Count + Rejected.Count;

    public void Accept(object value, ReadOnlySpan<StreamId> streams) => Accepted.Add((value, streams.ToArray()));

    public void Reject(string reason) => Rejected.Add(reason);
}
