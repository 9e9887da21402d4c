using Analytics.ClickHouse.Schema;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.ClickHouse.Hosting;

/// <summary>
/// Runs <see cref="ClickHouseSchemaMigrator"/> at start-up. While ClickHouse is unreachable (transient errors) it
/// retries with exponential backoff until <see cref="ClickHouseOptions.StartupTimeout"/>; then, or at once on a fatal
/// error, it fails start-up with a message naming the settings to check.
/// </summary>
internal sealed class ClickHouseSchemaHostedService : IHostedService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly ClickHouseSchemaMigrator migrator;
    private readonly ClickHouseOptions options;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<ClickHouseSchemaHostedService> logger;

    public ClickHouseSchemaHostedService(
        ClickHouseSchemaMigrator migrator,
        IOptions<ClickHouseOptions> options,
        TimeProvider timeProvider,
        ILogger<ClickHouseSchemaHostedService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.migrator = migrator;
        this.options = options.Value;
        this.timeProvider = timeProvider;
        this.logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.MigrateOnStartup)
        {
            Log.MigrationDisabled(logger);
            return;
        }

        var endpoint = ClickHouseEndpoint.Describe(options);
        var deadline = timeProvider.GetUtcNow() + options.StartupTimeout;
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.MigrateAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ClickHouseErrorClassifier.IsTransient(ex))
            {
                var remaining = deadline - timeProvider.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    throw new InvalidOperationException(
                        $"ClickHouse at {endpoint} did not become available within {options.StartupTimeout} " +
                        $"({ClickHouseOptions.SectionName}:StartupTimeout, {attempt} attempts). Check " +
                        $"{ClickHouseOptions.SectionName}:ConnectionString and that the server is running. Last error: {ex.Message}",
                        ex);
                }

                var wait = delay < remaining ? delay : remaining;
                Log.ClickHouseNotReady(logger, endpoint, attempt, ex.Message, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"ClickHouse schema migration of database '{options.Database}' at {endpoint} failed: {ex.Message} " +
                    $"Check {ClickHouseOptions.SectionName}:ConnectionString (user, password, permissions) and " +
                    $"{ClickHouseOptions.SectionName}:Database.",
                    ex);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
