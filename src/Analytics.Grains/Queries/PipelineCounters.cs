using System.Diagnostics.Metrics;
using Analytics.Grains.Diagnostics;

namespace Analytics.Grains.Queries;

/// <summary>
/// This silo's running totals of late and dead-lettered events, read off its own <see cref="PipelineMetrics"/>
/// instruments with a <see cref="MeterListener"/> (instruments of other silos in the same process are ignored).
/// </summary>
public sealed class PipelineCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _late;
    private long _deadLettered;

    /// <summary>Starts listening to <paramref name="metrics"/>.</summary>
    public PipelineCounters(PipelineMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument, metrics.EventsLate) || ReferenceEquals(instrument, metrics.EventsDeadLettered))
                listener.EnableMeasurementEvents(instrument, metrics);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, state) =>
        {
            var source = (PipelineMetrics)state!;
            if (ReferenceEquals(instrument, source.EventsLate)) Interlocked.Add(ref _late, value);
            else Interlocked.Add(ref _deadLettered, value);
        });
        _listener.Start();
    }

    /// <summary>Late events counted on this silo since it started.</summary>
    public long LateEvents => Interlocked.Read(ref _late);

    /// <summary>Records dead-lettered on this silo since it started.</summary>
    public long DeadLetteredEvents => Interlocked.Read(ref _deadLettered);

    /// <inheritdoc />
    public void Dispose() => _listener.Dispose();
}
