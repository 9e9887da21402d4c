using System.Runtime.InteropServices;

namespace Analytics.LoadGenerator;

/// <summary>The command-line entry point: parse, run until done or Ctrl-C/SIGTERM, write the record, set the exit code.</summary>
public static class LoadGeneratorCli
{
    /// <summary>Exit code when every sent message was delivered.</summary>
    public const int Success = 0;

    /// <summary>Exit code when some messages failed or were not confirmed.</summary>
    public const int DeliveryProblems = 1;

    /// <summary>Exit code for bad options.</summary>
    public const int UsageError = 2;

    /// <summary>Runs the tool with <paramref name="args"/>; help goes to <paramref name="output"/>, everything else to <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        var parsed = LoadGeneratorOptionsParser.Parse(args);
        if (parsed.HelpRequested)
        {
            await output.WriteAsync(LoadGeneratorOptionsParser.HelpText).ConfigureAwait(false);
            return Success;
        }

        if (parsed.Options is not { } options)
        {
            await error.WriteLineAsync($"error: {parsed.Error}").ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help for usage.").ConfigureAwait(false);
            return UsageError;
        }

        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl-C: stop sending, flush, write the record. A second one ends the process at once.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        try
        {
            var record = await new LoadRunner(options, TimeProvider.System, error).RunAsync(stop.Token).ConfigureAwait(false);
            return record.Totals.Failed > 0 || record.Totals.Unconfirmed > 0 ? DeliveryProblems : Success;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
