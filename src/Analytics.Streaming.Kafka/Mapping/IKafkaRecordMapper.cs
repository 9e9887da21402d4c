namespace Analytics.Streaming.Kafka.Mapping;

/// <summary>
/// Turns an external Kafka record into stream events. Called on the pulling agent for every record, so it must be
/// fast, thread-safe and non-blocking. It reports exactly one outcome per record through the sink.
/// </summary>
public interface IKafkaRecordMapper
{
    /// <summary>Maps <paramref name="record"/>, calling <see cref="IKafkaMappingSink.Accept"/> or <see cref="IKafkaMappingSink.Reject"/> once.</summary>
    void Map(KafkaRecord record, IKafkaMappingSink sink);
}

/// <summary>Receives the outcome of mapping one record.</summary>
public interface IKafkaMappingSink
{
    /// <summary>
    /// The record is well-formed: <paramref name="value"/> is delivered, as one event, to each of <paramref name="streams"/>.
    /// </summary>
    void Accept(object value, ReadOnlySpan<StreamId> streams);

    /// <summary>The record is malformed: it is handed to the dead-letter path with <paramref name="reason"/>.</summary>
    void Reject(string reason);
}
