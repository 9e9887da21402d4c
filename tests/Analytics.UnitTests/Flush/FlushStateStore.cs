using Analytics.Grains.Flush;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Analytics.UnitTests.Flush;

/// <summary>
/// Grain storage for one flush grain in a test: keeps a deep copy of the state at each successful write (what the
/// provider would have stored), can fail the next write, and "crashes": the next activation starts from the stored
/// copy, and whatever the previous one held only in memory is gone.
/// </summary>
internal sealed class FlushStateStore
{
    public const string Topic = "analytics-events";

    private static readonly DeepCopier<FlushGrainState> Copier =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<DeepCopier<FlushGrainState>>();

    private int _failures;

    /// <summary>The state the current activation works on.</summary>
    public FlushGrainState Live { get; private set; } = new();

    /// <summary>What storage holds, or null before the first write.</summary>
    public FlushGrainState? Stored { get; private set; }

    /// <summary>Successful writes so far.</summary>
    public int Writes { get; private set; }

    /// <summary>Makes the next write throw without storing anything.</summary>
    public void FailNextWrite() => _failures++;

    /// <summary>A ledger over the current activation's state.</summary>
    public LateEventLedger Activate(int capacity = LateEventLedger.DefaultCapacity) => new(Live, Topic, WriteAsync, capacity);

    /// <summary>The silo dies: a new activation loads what storage holds.</summary>
    public LateEventLedger CrashAndReactivate()
    {
        Live = Stored is null ? new FlushGrainState() : Copier.Copy(Stored);
        return Activate();
    }

    private Task WriteAsync()
    {
        if (_failures > 0)
        {
            _failures--;
            return Task.FromException(new InvalidOperationException("storage unavailable"));
        }
        Stored = Copier.Copy(Live);
        Writes++;
        return Task.CompletedTask;
    }
}
