using System.Text;
using Confluent.Kafka;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>Produces exact JSON events (and arbitrary bytes) to a test topic with acks=all and idempotence.</summary>
public sealed class TestEventProducer : IDisposable
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly string _topic;

    public TestEventProducer(string bootstrapServers, string topic)
    {
        _topic = topic;
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();
    }

    /// <summary>The JSON of one event in the contract's shape.</summary>
    public static string Json(string eventType, string page, string userId, string sessionId, DateTime timestamp) =>
        $$$"""{"event":"{{{eventType}}}","user_id":"{{{userId}}}","session_id":"{{{sessionId}}}","page":"{{{page}}}","timestamp":"{{{timestamp:yyyy-MM-ddTHH:mm:ss.fffZ}}}","referrer":"https://example.org/","extra_field":{"kept":true}}""";

    /// <summary>Sends every value (keyed by <paramref name="keyOf"/>) and waits until all are acknowledged.</summary>
    public async Task ProduceAsync(IEnumerable<byte[]> values, Func<int, string> keyOf)
    {
        var deliveries = values.Select((value, i) => _producer.ProduceAsync(_topic, new Message<string, byte[]> { Key = keyOf(i), Value = value })).ToList();
        var results = await Task.WhenAll(deliveries);
        if (results.Any(r => r.Status != PersistenceStatus.Persisted)) throw new InvalidOperationException("Some test events were not persisted.");
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
