using Analytics.ClickHouse.Rows;

namespace Analytics.ClickHouse.Testing;

/// <summary>
/// Holds the first raw-event insert until <see cref="Release"/> is completed, then passes it on: an insert still on its
/// way to ClickHouse while, for example, its partition moves to another owner. Later inserts pass straight through.
/// </summary>
public sealed class HoldingAnalyticsSink(IAnalyticsSink inner) : ForwardingAnalyticsSink(inner)
{
    private int _calls;

    /// <summary>Completed when the held insert arrived.</summary>
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Complete it to let the held insert go on.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <inheritdoc />
    public override async Task WriteRawEventsAsync(IReadOnlyList<RawEventRow> rows, string deduplicationToken, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            Arrived.SetResult();
            await Release.Task.ConfigureAwait(false);
        }
        await base.WriteRawEventsAsync(rows, deduplicationToken, cancellationToken).ConfigureAwait(false);
    }
}
