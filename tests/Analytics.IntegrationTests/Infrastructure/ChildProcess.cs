using System.Diagnostics;
using System.Threading.Channels;

namespace Analytics.IntegrationTests.Infrastructure;

/// <summary>
/// A peer process started by a fixture: its stdout lines can be awaited (the "READY ..." line), and all of
/// its output goes to a log file and a short in-memory tail used in error messages.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 40;

    private readonly Process process;
    private readonly Channel<string> stdoutLines = Channel.CreateUnbounded<string>();
    private readonly Queue<string> tail = new();
    private readonly StreamWriter log;
    private readonly Lock gate = new();
    private bool disposed;

    private ChildProcess(Process process, string logPath)
    {
        this.process = process;
        log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        LogPath = logPath;
    }

    public int Pid => process.Id;

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    /// <summary>The last lines the process wrote, for error messages.</summary>
    public string Tail
    {
        get
        {
            lock (gate)
            {
                return string.Join(Environment.NewLine, tail);
            }
        }
    }

    /// <summary>Starts <paramref name="fileName"/> with its output captured.</summary>
    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="logPath">Where its stdout and stderr are appended.</param>
    /// <param name="workingDirectory">Its working directory (PostgreSQL wants one its user can read).</param>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string logPath, string? workingDirectory = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Kept open and never written: a DevStack peer started with --exit-on-stdin-close exits when the
            // test process dies and the pipe closes, instead of lingering on its port.
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var child = new ChildProcess(process, logPath);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, isStdout: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, isStdout: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Waits for the first stdout line starting with <paramref name="prefix"/>. Fails with the process's
    /// output if it exits first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<string> WaitForStdoutLineAsync(string prefix, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await foreach (var line in stdoutLines.Reader.ReadAllAsync(deadline.Token))
            {
                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{what} (PID {Pid}) did not print '{prefix}' within {timeout.TotalSeconds} s. Output:{Environment.NewLine}{Tail}");
        }

        await process.WaitForExitAsync(CancellationToken.None);
        throw new InvalidOperationException($"{what} exited with code {process.ExitCode} before it was ready. Output:{Environment.NewLine}{Tail}");
    }

    /// <summary>Waits for a short-lived process (e.g. initdb) and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await KillAsync();
            throw new TimeoutException($"{what} did not finish within {timeout.TotalSeconds} s. Output:{Environment.NewLine}{Tail}");
        }
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the exit; SIGKILL if it is not gone after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(int signal, TimeSpan timeout)
    {
        if (process.HasExited)
        {
            return;
        }

        UnixSignals.Send(process.Id, signal);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>SIGKILL, then waits until the OS has reaped the process.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }

        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process.Dispose();
        lock (gate)
        {
            disposed = true;
            log.Dispose();
        }
    }

    private void OnLine(string? line, bool isStdout)
    {
        if (line is null)
        {
            // End of the stream: no READY line can come any more.
            if (isStdout)
            {
                stdoutLines.Writer.TryComplete();
            }

            return;
        }

        lock (gate)
        {
            tail.Enqueue(line);
            if (tail.Count > TailLines)
            {
                tail.Dequeue();
            }

            if (!disposed)
            {
                log.WriteLine(line);
            }
        }

        if (isStdout)
        {
            stdoutLines.Writer.TryWrite(line);
        }
    }
}
