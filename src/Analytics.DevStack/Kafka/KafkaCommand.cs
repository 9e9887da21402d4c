using System.Diagnostics;
using Confluent.Kafka;

namespace Analytics.DevStack.Kafka;

/// <summary>
/// <c>kafka</c>: a librdkafka mock cluster with our topics, reachable on fixed loopback ports through forwarders.
/// </summary>
internal static class KafkaCommand
{
    private static readonly TimeSpan ReadinessDeadline = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(CommandLineOptions options)
    {
        var port = options.GetInt("port", 9092, 0, 65535);
        var partitions = options.GetInt("partitions", 8, 1, 10_000);
        var brokerCount = options.GetInt("brokers", 1, 1, 16);
        var topics = options.GetString("topics", "analytics-events,analytics-anomalies,analytics-events-dlq")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var exitOnStdinClose = options.GetSwitch("exit-on-stdin-close");
        options.ThrowIfUnused();

        using var shutdown = new ShutdownSignal(exitOnStdinClose);
        var started = Stopwatch.StartNew();

        // Bind the public ports before anything else, so a taken port fails fast with a clear message.
        // Broker i (1-based) gets port+i-1, or its own ephemeral port when port is 0.
        var listeners = Enumerable.Range(0, brokerCount)
            .Select(i => Ports.Listen(port == 0 ? 0 : port + i, $"kafka broker {i + 1}"))
            .ToList();

        using var cluster = MockCluster.Create(brokerCount);
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic, partitions);
        }

        cluster.SetInitialRebalanceDelay(TimeSpan.Zero);

        var forwarders = new List<TcpForwarder>();
        try
        {
            for (var i = 0; i < brokerCount; i++)
            {
                var forwarder = new TcpForwarder(listeners[i], cluster.BrokerListeners[i]);
                forwarders.Add(forwarder);
                cluster.Advertise(brokerId: i + 1, forwarder.LocalEndpoint);
            }

            var bootstrap = string.Join(',', forwarders.Select(f => $"127.0.0.1:{f.LocalEndpoint.Port}"));
            await WaitUntilReadyAsync(bootstrap, forwarders, topics, partitions, shutdown.Token);
            Console.Error.WriteLine(
                $"kafka mock ready in {started.ElapsedMilliseconds} ms: {brokerCount} broker(s), " +
                $"topics {string.Join(',', topics)} x {partitions} partitions");
            Console.Out.WriteLine($"READY bootstrap={bootstrap}");
            Console.Out.Flush();

            await WaitForShutdownAsync(shutdown.Token);
            return ExitCodes.Ok;
        }
        finally
        {
            // Stop accepting and drop client connections first, then free the mock.
            foreach (var forwarder in forwarders)
            {
                await forwarder.DisposeAsync();
            }

            Console.Error.WriteLine("kafka mock stopped");
        }
    }

    /// <summary>
    /// Ready means what a client will see: metadata fetched through the forwarded port that advertises the
    /// forwarded ports and lists every topic with its partitions.
    /// </summary>
    private static async Task WaitUntilReadyAsync(
        string bootstrap, IReadOnlyList<TcpForwarder> forwarders, IReadOnlyList<string> topics, int partitions, CancellationToken cancellation)
    {
        var config = new AdminClientConfig { BootstrapServers = bootstrap, SocketTimeoutMs = 2000, LogConnectionClose = false };
        using var admin = new AdminClientBuilder(config).SetLogHandler((_, _) => { }).Build();
        var expectedPorts = forwarders.Select(f => f.LocalEndpoint.Port).Order().ToList();
        var deadline = Stopwatch.StartNew();
        string problem;
        do
        {
            cancellation.ThrowIfCancellationRequested();
            problem = await Task.Run(() => Check(admin, expectedPorts, topics, partitions), cancellation);
            if (problem.Length == 0)
            {
                return;
            }

            // Poll interval: a refused connection fails instantly, so don't spin.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);
        }
        while (deadline.Elapsed < ReadinessDeadline);

        throw new DevStackException($"kafka mock not ready after {ReadinessDeadline.TotalSeconds} s: {problem}");
    }

    /// <returns>An empty string when ready, otherwise what is still wrong.</returns>
    private static string Check(IAdminClient admin, List<int> expectedPorts, IReadOnlyList<string> topics, int partitions)
    {
        try
        {
            var metadata = admin.GetMetadata(TimeSpan.FromSeconds(2));
            var advertised = metadata.Brokers.Select(b => b.Port).Order().ToList();
            if (!advertised.SequenceEqual(expectedPorts))
            {
                return $"brokers advertise ports {string.Join(',', advertised)}, expected {string.Join(',', expectedPorts)}";
            }

            var missing = topics.Where(t => metadata.Topics.FirstOrDefault(m => m.Topic == t)?.Partitions.Count != partitions).ToList();
            return missing.Count == 0 ? string.Empty : $"topics not visible yet: {string.Join(',', missing)}";
        }
        catch (KafkaException e)
        {
            return e.Message;
        }
    }

    private static async Task WaitForShutdownAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
