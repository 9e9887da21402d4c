using System.Diagnostics;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// A Kafka-protocol broker (librdkafka's mock cluster, run by Analytics.DevStack) in its own process on an
/// ephemeral loopback port. Data lives in memory only. The mock rejects admin CreateTopics, so the topics
/// and their partition count are fixed at start; use <see cref="UniqueTopicName"/> so no test depends on
/// a hard-coded name. Start one per test class (or collection).
/// </summary>
public sealed class KafkaBrokerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly ChildProcess process;
    private readonly string workDirectory;

    private KafkaBrokerProcess(ChildProcess process, string workDirectory, string bootstrapServers, IReadOnlyList<string> topics, int partitions)
    {
        this.process = process;
        this.workDirectory = workDirectory;
        BootstrapServers = bootstrapServers;
        Topics = topics;
        Partitions = partitions;
    }

    /// <summary>The Kafka bootstrap.servers value, e.g. "127.0.0.1:41234".</summary>
    public string BootstrapServers { get; }

    /// <summary>The topics created at start.</summary>
    public IReadOnlyList<string> Topics { get; }

    /// <summary>Partitions per topic.</summary>
    public int Partitions { get; }

    /// <summary>The broker process's PID.</summary>
    public int Pid => process.Pid;

    /// <summary>Where the broker's output is logged.</summary>
    public string LogPath => process.LogPath;

    /// <summary>How long the last start took until a client could fetch metadata.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>A topic name unique to this run, e.g. "analytics-events-1f3a9c2e".</summary>
    public static string UniqueTopicName(string baseName) => $"{baseName}-{Guid.NewGuid():N}"[..(baseName.Length + 9)];

    /// <summary>Starts a broker with <paramref name="topics"/>, each with <paramref name="partitions"/> partitions.</summary>
    public static async Task<KafkaBrokerProcess> StartAsync(
        IReadOnlyList<string> topics, int partitions = 8, int brokers = 1, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(topics.Count);
        var dll = RepositoryPaths.DevStackDll;
        var workDirectory = Directory.CreateTempSubdirectory("analytics-it-kafka-").FullName;
        var started = Stopwatch.StartNew();
        var process = ChildProcess.Start(
            "dotnet",
            [dll, "kafka", "--port", "0", "--partitions", $"{partitions}", "--brokers", $"{brokers}", "--topics", string.Join(',', topics), "--exit-on-stdin-close"],
            Path.Combine(workDirectory, "kafka.log"));
        try
        {
            var ready = await process.WaitForStdoutLineAsync("READY bootstrap=", ReadyTimeout, "Kafka mock broker", cancellationToken);
            return new KafkaBrokerProcess(process, workDirectory, ready["READY bootstrap=".Length..], topics, partitions)
            {
                StartupTime = started.Elapsed,
            };
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the broker with SIGTERM (clean shutdown; all data is gone).</summary>
    public Task StopAsync() => process.StopAsync(UnixSignals.Terminate, StopTimeout);

    /// <summary>Kills the broker with SIGKILL, as a crash would.</summary>
    public Task KillAsync() => process.KillAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await process.DisposeAsync();
        TempDirectory.TryDelete(workDirectory);
    }
}
