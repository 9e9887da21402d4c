using System.Globalization;
using Confluent.Kafka;

namespace Analytics.LoadGenerator;

/// <summary>
/// Sends events to Kafka with one idempotent, <c>acks=all</c>, lz4-compressed producer, using the non-blocking
/// <c>Produce</c> and delivery reports (handled on the client's poll thread).
/// </summary>
public sealed class KafkaEventSink : IEventSink
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly string _topic;
    private readonly TextWriter? _log;
    private volatile string? _fatalError;
    private long _lastErrorLogTicks;

    /// <summary>Creates the producer for <paramref name="options"/>; client errors are written to <paramref name="log"/>.</summary>
    public KafkaEventSink(LoadGeneratorOptions options, TextWriter? log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _topic = options.Topic;
        _log = log;
        _producer = new ProducerBuilder<byte[], byte[]>(CreateConfig(options))
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, message) =>
            {
                // Connection failures arrive both as log lines and as errors; the error handler reports them.
                if (message.Level <= SyslogLevel.Warning && message.Facility != "FAIL")
                {
                    WriteThrottled($"kafka {message.Level}: {message.Facility} {message.Message}");
                }
            })
            .Build();
    }

    /// <inheritdoc />
    public string? FatalError => _fatalError;

    /// <summary>
    /// The producer settings: acks=all, idempotence, lz4, 5 ms linger, batches of up to 10,000 messages or 1 MiB,
    /// a local queue of 500,000 messages; then <see cref="LoadGeneratorOptions.KafkaSettings"/> on top.
    /// </summary>
    public static ProducerConfig CreateConfig(LoadGeneratorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "analytics-loadgen",
            Acks = Acks.All,
            EnableIdempotence = true,
            CompressionType = CompressionType.Lz4,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            BatchSize = 1024 * 1024,
            QueueBufferingMaxMessages = 500_000,
            QueueBufferingMaxKbytes = 512 * 1024,
            MessageTimeoutMs = 120_000,
            SocketNagleDisable = true,

            // Delivery reports need only the outcome: the event itself travels in the handler's closure.
            DeliveryReportFields = "status",
        };

        foreach (var (key, value) in options.KafkaSettings)
        {
            config.Set(key, value);
        }

        return config;
    }

    /// <inheritdoc />
    public bool TrySend(GeneratedEvent generated, SendRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(generated);
        ArgumentNullException.ThrowIfNull(recorder);
        try
        {
            _producer.Produce(
                _topic,
                new Message<byte[], byte[]> { Key = generated.Key, Value = generated.Payload },
                report => OnDelivery(report, generated, recorder));
            return true;
        }
        catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
        catch (ProduceException<byte[], byte[]> ex)
        {
            // Rejected locally (for example too large for message.max.bytes): accepted and failed at once.
            recorder.RecordFailed(generated, ex.Error.Code.ToString());
            return true;
        }
    }

    /// <inheritdoc />
    public int Flush(TimeSpan timeout) => _producer.Flush(timeout);

    /// <inheritdoc />
    public void Dispose() => _producer.Dispose();

    private static void OnDelivery(DeliveryReport<byte[], byte[]> report, GeneratedEvent generated, SendRecorder recorder)
    {
        if (report.Error.IsError)
        {
            recorder.RecordFailed(generated, report.Error.Code.ToString());
        }
        else
        {
            recorder.RecordDelivered(generated);
        }
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _fatalError = $"{error.Code}: {error.Reason}";
            WriteLog($"kafka fatal error {_fatalError}");
            return;
        }

        WriteThrottled(string.Create(CultureInfo.InvariantCulture, $"kafka error {error.Code}: {error.Reason}"));
    }

    /// <summary>Transient problems (a broker down, all brokers down) repeat quickly; one line per second is enough.</summary>
    private void WriteThrottled(string line)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _lastErrorLogTicks);
        if (now - last >= 1000 && Interlocked.CompareExchange(ref _lastErrorLogTicks, now, last) == last)
        {
            WriteLog(line);
        }
    }

    private void WriteLog(string line) => _log?.WriteLine(line);
}
