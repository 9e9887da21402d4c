using Analytics.Contracts.Queries;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Queries;

/// <summary>
/// The clients' entry point (see <see cref="ITrafficQueryGrain"/>): one local activation per silo that serves the
/// merged snapshot from a cache at most <see cref="LiveQueryOptions.SnapshotMaxAge"/> old, with a single fetch
/// in flight, and reads single pages straight from their page grains.
/// </summary>
[StatelessWorker(1)]
[Reentrant]
public sealed class TrafficQueryGrain(IOptions<LiveQueryOptions> options, TimeProvider time) : Grain, ITrafficQueryGrain
{
    private static readonly TrafficSnapshot Empty = new();
    private readonly LiveQueryOptions _options = options.Value;
    private TrafficSnapshot? _snapshot;
    private DateTime _fetchedAt;
    private Task<TrafficSnapshot>? _fetch;

    /// <inheritdoc />
    public Task<TrafficSnapshot> GetSnapshotAsync()
    {
        if (_snapshot is not null && time.GetUtcNow().UtcDateTime - _fetchedAt < _options.SnapshotMaxAge) return Task.FromResult(_snapshot);
        if (_fetch is null || _fetch.IsCompleted) _fetch = FetchAsync();
        return _fetch;
    }

    /// <inheritdoc />
    public async Task<PageTraffic> GetPageAsync(string page)
    {
        ArgumentException.ThrowIfNullOrEmpty(page);
        var now = time.GetUtcNow().UtcDateTime;
        var currentMinute = TrafficWindows.MinuteOf(now);
        var (live, totals) = await PageTrafficReader.ReadAsync(GrainFactory, page,
            [TrafficWindow.OneMinute.StartAt(currentMinute), TrafficWindow.FiveMinutes.StartAt(currentMinute)]);
        return new PageTraffic
        {
            Page = page,
            AsOf = now,
            OneMinute = totals[0],
            FiveMinutes = totals[1],
            Minutes = PageTrafficReader.MinutesOf(live),
            TotalEvents = live.TotalEvents,
            TotalLateEvents = live.TotalLateEvents,
            Watermark = live.Watermark,
        };
    }

    private async Task<TrafficSnapshot> FetchAsync()
    {
        var fresh = await GrainFactory.GetGrain<ITopPagesGrain>(0).GetSnapshotAsync(_snapshot?.Version ?? -1);
        if (fresh is not null) _snapshot = fresh;
        _fetchedAt = time.GetUtcNow().UtcDateTime;
        return _snapshot ?? Empty;
    }
}
