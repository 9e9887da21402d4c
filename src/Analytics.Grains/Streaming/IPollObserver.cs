using Analytics.Contracts.Events;

namespace Analytics.Grains.Streaming;

/// <summary>
/// Sees the well-formed events of every poll of this silo's partitions, before they reach grains: the place for
/// per-silo pre-aggregation (site-wide rates, top-page candidates) without a grain call per event. Called on the
/// pulling agent's turn: must be fast, thread-safe and non-blocking.
/// </summary>
public interface IPollObserver
{
    /// <summary>Observes one poll's accepted events of <paramref name="partition"/>, in offset order.</summary>
    void OnEvents(int partition, IReadOnlyList<AnalyticsEvent> events, DateTime polledAt);
}
