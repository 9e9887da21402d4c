using System.Diagnostics.Metrics;

namespace Analytics.Grains.Diagnostics;

/// <summary>Instruments of the pipeline (meter <c>Analytics.Pipeline</c>), one instance per silo.</summary>
public sealed class PipelineMetrics : IDisposable
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = "Analytics.Pipeline";

    private readonly Meter _meter;

    /// <summary>Creates the instruments.</summary>
    public PipelineMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        EventsProcessed = _meter.CreateCounter<long>("events-processed", "{event}", "Events added to an open window.");
        EventsReplayed = _meter.CreateCounter<long>("events-replayed", "{event}", "Redelivered events skipped by offset.");
        EventsLate = _meter.CreateCounter<long>("events-late", "{event}", "Events that arrived after their window became final.");
        EventsDeadLettered = _meter.CreateCounter<long>("events-dead-lettered", "{event}", "Malformed records written to dead_letters.");
        EventsArchived = _meter.CreateCounter<long>("events-archived", "{event}", "Well-formed events written to page_views.");
        WindowsFlushed = _meter.CreateCounter<long>("windows-flushed", "{window}", "Page-minute rollups written to ClickHouse.");
        FlushLatency = _meter.CreateHistogram<double>("flush-duration", "ms", "Duration of one ClickHouse flush.");
        FlushFailures = _meter.CreateCounter<long>("flush-failures", "{flush}", "ClickHouse writes that failed and will be retried.");
        VisibilityLatency = _meter.CreateHistogram<double>("event-visibility-latency", "ms", "From an event's production to its visibility in live grain state.");
        StateWrites = _meter.CreateCounter<long>("state-writes", "{write}", "Grain state writes.");
        StateSize = _meter.CreateHistogram<long>("page-state-size", "{item}", "Items (windows, visitors, pending rows) held by a page grain when it writes its state.");
    }

    /// <summary>Events added to an open window.</summary>
    public Counter<long> EventsProcessed { get; }

    /// <summary>Redelivered events skipped by offset.</summary>
    public Counter<long> EventsReplayed { get; }

    /// <summary>Late events.</summary>
    public Counter<long> EventsLate { get; }

    /// <summary>Dead-lettered records.</summary>
    public Counter<long> EventsDeadLettered { get; }

    /// <summary>Archived events.</summary>
    public Counter<long> EventsArchived { get; }

    /// <summary>Rollups written.</summary>
    public Counter<long> WindowsFlushed { get; }

    /// <summary>Flush duration.</summary>
    public Histogram<double> FlushLatency { get; }

    /// <summary>Failed flushes.</summary>
    public Counter<long> FlushFailures { get; }

    /// <summary>Production-to-visibility latency.</summary>
    public Histogram<double> VisibilityLatency { get; }

    /// <summary>State writes.</summary>
    public Counter<long> StateWrites { get; }

    /// <summary>Page state size.</summary>
    public Histogram<long> StateSize { get; }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
