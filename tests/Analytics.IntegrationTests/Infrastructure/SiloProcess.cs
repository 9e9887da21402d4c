using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// One analytics silo (the built src/Analytics.Silo) as a real process, so a test can kill it with SIGKILL. Its
/// configuration is passed on the command line (<c>--Key=Value</c>); its silo, gateway and HTTP ports are ephemeral
/// and kept across restarts, like a pod that comes back on the same address. Ready means /healthz answers 200
/// (the silo is an active cluster member). Output goes to a log file that survives restarts.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(60);

    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly HttpClient http;
    private ChildProcess? process;
    private int starts;

    /// <summary>Creates (does not start) silo <paramref name="name"/> with <paramref name="settings"/>.</summary>
    /// <param name="name">A short name for messages and the log file, e.g. "silo-1".</param>
    /// <param name="settings">Configuration keys and values (without the leading <c>--</c>); ports are added here.</param>
    /// <param name="logDirectory">Where <c>{name}.log</c> is written.</param>
    public SiloProcess(string name, IReadOnlyDictionary<string, string> settings, string logDirectory)
    {
        Name = name;
        SiloPort = LoopbackPorts.Free();
        GatewayPort = LoopbackPorts.Free();
        HttpPort = LoopbackPorts.Free();
        LogPath = Path.Combine(logDirectory, name + ".log");
        this.settings = new Dictionary<string, string>(settings)
        {
            ["Urls"] = HttpUri.ToString().TrimEnd('/'),
            ["Silo:SiloPort"] = SiloPort.ToString(CultureInfo.InvariantCulture),
            ["Silo:GatewayPort"] = GatewayPort.ToString(CultureInfo.InvariantCulture),
        };
        http = new HttpClient { BaseAddress = HttpUri, Timeout = TimeSpan.FromSeconds(5) };
    }

    /// <summary>The silo's name in messages.</summary>
    public string Name { get; }

    /// <summary>Silo-to-silo port on 127.0.0.1.</summary>
    public int SiloPort { get; }

    /// <summary>Client gateway port on 127.0.0.1.</summary>
    public int GatewayPort { get; }

    /// <summary>HTTP port (/healthz, /metrics, /stats) on 127.0.0.1.</summary>
    public int HttpPort { get; }

    /// <summary>The HTTP base address.</summary>
    public Uri HttpUri => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>The log file (all starts of this silo, appended).</summary>
    public string LogPath { get; }

    /// <summary>The current process's PID, or null when not running.</summary>
    public int? Pid => process is { HasExited: false } p ? p.Pid : null;

    /// <summary>Whether the process runs.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>The last lines the silo wrote, for failure messages.</summary>
    public string Tail => process?.Tail ?? "(never started)";

    /// <summary>How long the last start took until /healthz answered 200.</summary>
    public TimeSpan StartupTime { get; private set; }

    /// <summary>The built Analytics.Silo.dll of the configuration the tests were built in.</summary>
    public static string SiloDll
    {
        get
        {
            var configuration = typeof(SiloProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
            var dll = Path.Combine(RepositoryPaths.Root, "src", "Analytics.Silo", "bin", configuration, "net10.0", "Analytics.Silo.dll");
            return File.Exists(dll)
                ? dll
                : throw new MissingPrerequisiteException($"{dll} is missing: build the solution (`dotnet build Analytics.sln -c {configuration}`).");
        }
    }

    /// <summary>Starts the process and waits until the silo is healthy.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (IsRunning) throw new InvalidOperationException($"{Name} is already running (PID {Pid}).");
        if (process is not null) await process.DisposeAsync();
        var dll = SiloDll;
        starts++;
        await File.AppendAllTextAsync(LogPath, $"===== {Name} start #{starts} at {DateTime.UtcNow:O} =====\n", cancellationToken);
        var started = Stopwatch.StartNew();
        process = ChildProcess.Start(
            "dotnet",
            [dll, .. settings.Select(kv => $"--{kv.Key}={kv.Value}")],
            LogPath,
            workingDirectory: Path.GetDirectoryName(dll));
        await WaitUntilHealthyAsync(process, cancellationToken);
        StartupTime = started.Elapsed;
    }

    /// <summary>SIGKILL: the silo dies without any chance to clean up, as in a crash.</summary>
    public async Task KillAsync()
    {
        if (process is not null) await process.KillAsync();
    }

    /// <summary>
    /// SIGTERM: the host stops gracefully (the silo leaves the cluster, queues are released). Returns false when it
    /// had to be killed because it did not exit within a minute.
    /// </summary>
    public async Task<bool> StopAsync()
    {
        if (process is null || process.HasExited) return true;
        var stopping = Stopwatch.StartNew();
        await process.StopAsync(UnixSignals.Terminate, GracefulStopTimeout);
        return stopping.Elapsed < GracefulStopTimeout;
    }

    /// <summary>Stops gracefully (if running) and starts again on the same ports.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartAsync(cancellationToken);
    }

    /// <summary>Whether /healthz answers 200 now.</summary>
    public async Task<bool> IsHealthyAsync()
    {
        try
        {
            using var response = await http.GetAsync(new Uri("healthz", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>The Prometheus text of /metrics.</summary>
    public async Task<string> GetMetricsAsync()
    {
        using var response = await http.GetAsync(new Uri("metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            // Fixtures dispose after failures too: a short graceful stop, then SIGKILL by PID.
            await process.StopAsync(UnixSignals.Terminate, TimeSpan.FromSeconds(15));
            await process.DisposeAsync();
        }

        http.Dispose();
    }

    private async Task WaitUntilHealthyAsync(ChildProcess child, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (child.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited during start-up. Log {LogPath}:{Environment.NewLine}{child.Tail}");
            }

            if (await IsHealthyAsync()) return;
            if (deadline.Elapsed > ReadyTimeout)
            {
                await child.KillAsync();
                throw new TimeoutException($"{Name} was not healthy within {ReadyTimeout.TotalSeconds} s. Log {LogPath}:{Environment.NewLine}{child.Tail}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken); // poll interval of the readiness check
        }
    }
}
