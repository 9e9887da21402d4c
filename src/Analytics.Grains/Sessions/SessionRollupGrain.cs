using Analytics.ClickHouse;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Sessions;

/// <summary>Keeps <c>analytics.sessions_1m</c> up to date (one grain, key 0).</summary>
public interface ISessionRollupGrain : IGrainWithIntegerKey
{
    /// <summary>Makes sure the rollup timer runs (idempotent).</summary>
    Task EnsureRunningAsync();
}

/// <summary>
/// Recomputes the per-minute session metrics inside ClickHouse on a timer: one statement per interval, no
/// matter how many sessions there are, and nothing on the event path.
/// </summary>
public sealed partial class SessionRollupGrain(
    IAnalyticsSink sink,
    IOptions<SessionOptions> options,
    ILogger<SessionRollupGrain> logger) : Grain, ISessionRollupGrain
{
    private IGrainTimer? _timer;

    /// <inheritdoc />
    public Task EnsureRunningAsync()
    {
        _timer ??= this.RegisterGrainTimer(RefreshAsync,
            new GrainTimerCreationOptions(TimeSpan.Zero, options.Value.RollupInterval) { KeepAlive = true });
        return Task.CompletedTask;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await sink.RefreshSessionMinutesAsync(options.Value.RollupLookback, options.Value.InactivityTimeout, cancellationToken);
        }
        catch (AnalyticsSinkException ex)
        {
            LogRefreshFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing sessions_1m failed; retrying on the next interval.")]
    private partial void LogRefreshFailed(Exception ex);
}
