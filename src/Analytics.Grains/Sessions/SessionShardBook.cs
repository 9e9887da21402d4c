using Analytics.ClickHouse.Rows;
using Analytics.Contracts.Events;
using Analytics.Contracts.Sessions;
using Analytics.Persistence.Postgres.Sharded;

namespace Analytics.Grains.Sessions;

/// <summary>
/// The sessions of one shard held in memory (pure logic, driven by <see cref="SessionShardGrain"/>): applies event
/// batches once each by Kafka offset, closes sessions the watermark has passed, keeps memory bounded, and, when
/// <c>durable</c>, tracks what changed so that each write sends only that (<see cref="TakeWrite"/>).
/// </summary>
/// <param name="options">The session settings.</param>
/// <param name="durable">Whether the shard is persisted; without it nothing is tracked for writing and memory is
/// released only by closing, forgetting and the cap.</param>
public sealed class SessionShardBook(SessionOptions options, bool durable)
{
    private readonly Dictionary<string, Entry> _sessions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletes = new(StringComparer.Ordinal);
    private bool _headerDirty;

    // Open sessions that left memory without being stored (Memory mode over the cap) since TakeDropped.
    private long _dropped;

    /// <summary>Offsets and sequence numbers; stored as the shard header.</summary>
    public SessionShardProgress Progress { get; private set; } = new();

    /// <summary>Sequence number of the latest write known to be stored.</summary>
    public long DurableSeq { get; private set; }

    /// <summary>Sessions (open ones and tombstones) in memory.</summary>
    public int Count => _sessions.Count;

    /// <summary>Whether a write has anything to send.</summary>
    public bool HasChanges => _headerDirty || _dirty.Count > 0 || _deletes.Count > 0;

    /// <summary>Starts from stored progress (on activation).</summary>
    public void Restore(SessionShardProgress progress)
    {
        Progress = progress;
        DurableSeq = progress.WriteSeq;
    }

    /// <summary>
    /// The session ids among <paramref name="events"/> (those not yet applied) that are not in memory and not in
    /// <paramref name="known"/>: they must be read from the store before the batch is applied. Marks the ones in
    /// memory as active so that they are not released while the read is under way.
    /// </summary>
    public HashSet<string> MissingKeys(IEnumerable<AnalyticsEvent> events, IReadOnlySet<string> known, long nowTicks)
    {
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var evt in events)
        {
            if (IsReplay(evt)) continue;
            if (_sessions.TryGetValue(evt.SessionId, out var entry)) entry.TouchedAt = nowTicks;
            else if (!known.Contains(evt.SessionId)) missing.Add(evt.SessionId);
        }
        return missing;
    }

    /// <summary>Takes a stored session into memory unless a newer one is there already.</summary>
    /// <returns>Its tracker, or null when memory already held the session.</returns>
    public SessionTracker? Adopt(string sessionId, SessionState state, long writtenSeq, long nowTicks)
    {
        if (_sessions.ContainsKey(sessionId)) return null;
        var entry = new Entry(new SessionTracker(sessionId, state, options)) { TouchedAt = nowTicks, WrittenSeq = writtenSeq };
        _sessions[sessionId] = entry;
        return entry.Tracker;
    }

    /// <summary>
    /// Applies a batch: skips events at or below the partition's applied offset, starts sessions found neither in
    /// memory nor in <paramref name="loaded"/> afresh, and adds to <paramref name="rows"/> the rows to offer
    /// ClickHouse (sessions an event closed, then every touched session's current row).
    /// </summary>
    /// <returns>How many events were applied and how many were replays.</returns>
    public (int Applied, int Replayed) Apply(
        IEnumerable<AnalyticsEvent> events, IReadOnlyDictionary<string, SessionState>? loaded, long nowTicks, List<SessionRow> rows)
    {
        int applied = 0, replayed = 0;
        var touched = new List<Entry>();
        foreach (var evt in events)
        {
            if (IsReplay(evt))
            {
                replayed++;
                continue;
            }
            Progress.AppliedOffsets[evt.Partition] = evt.Offset;
            _headerDirty = true;
            if (!_sessions.TryGetValue(evt.SessionId, out var entry))
            {
                var state = loaded is not null && loaded.TryGetValue(evt.SessionId, out var stored) ? stored : new SessionState();
                entry = new Entry(new SessionTracker(evt.SessionId, state, options));
                _sessions[evt.SessionId] = entry;
                _deletes.Remove(evt.SessionId);
            }
            if (entry.Tracker.Apply(evt) is { } closed) rows.Add(closed);
            entry.TouchedAt = nowTicks;
            if (!entry.Touched)
            {
                entry.Touched = true;
                touched.Add(entry);
            }
            if (durable) _dirty.Add(evt.SessionId);
            applied++;
        }
        foreach (var entry in touched)
        {
            entry.Touched = false;
            rows.Add(entry.Tracker.ToRow());
        }
        return (applied, replayed);
    }

    /// <summary>
    /// Closes the open sessions the event-time clock has passed (adding their final rows to <paramref name="rows"/>)
    /// and forgets tombstones past their retention.
    /// </summary>
    public void CloseDue(DateTime eventTimeNow, List<SessionRow> rows)
    {
        List<string>? forget = null;
        foreach (var (id, entry) in _sessions)
        {
            var tracker = entry.Tracker;
            if (!tracker.State.Closed)
            {
                if (!tracker.IsClosedAt(eventTimeNow)) continue;
                rows.Add(tracker.Close());
                if (durable) _dirty.Add(id);
            }
            else if (tracker.IsForgettableAt(eventTimeNow))
            {
                (forget ??= []).Add(id);
            }
        }
        if (forget is null) return;
        foreach (var id in forget)
        {
            _sessions.Remove(id);
            if (!durable) continue;
            _dirty.Remove(id);
            _deletes.Add(id);
        }
    }

    /// <summary>
    /// Releases memory. Durable: sessions stored and idle for <see cref="SessionOptions.MemoryIdleTimeout"/> leave
    /// (they are read back on their next event). Either way, over <see cref="SessionOptions.MaxSessionsInMemory"/> the
    /// least recently active leave first: stored ones when durable, any in Memory mode (counted, see <see cref="TakeDropped"/>).
    /// </summary>
    /// <returns>How many sessions left memory.</returns>
    public int Release(long nowTicks)
    {
        var released = 0;
        if (durable)
        {
            var idleSince = nowTicks - options.MemoryIdleTimeout.Ticks;
            var idle = _sessions.Where(s => s.Value.TouchedAt <= idleSince && IsStored(s.Key, s.Value)).Select(s => s.Key).ToList();
            foreach (var id in idle) _sessions.Remove(id);
            released = idle.Count;
        }
        var excess = _sessions.Count - options.MaxSessionsInMemory;
        if (excess <= 0) return released;
        var oldest = _sessions.Where(s => !durable || IsStored(s.Key, s.Value))
            .OrderBy(s => s.Value.TouchedAt).Take(excess).Select(s => s.Key).ToList();
        foreach (var id in oldest)
        {
            if (!durable && !_sessions[id].Tracker.State.Closed) _dropped++;
            _sessions.Remove(id);
        }
        return released + oldest.Count;
    }

    /// <summary>Returns and resets the number of open sessions dropped over the cap in Memory mode.</summary>
    public long TakeDropped()
    {
        var dropped = _dropped;
        _dropped = 0;
        return dropped;
    }

    /// <summary>Records that ClickHouse has every row of sessions stored up to <paramref name="seq"/>.</summary>
    public void RowsWrittenUpTo(long seq)
    {
        if (seq <= Progress.RowsWrittenSeq) return;
        Progress.RowsWrittenSeq = seq;
        _headerDirty = true;
    }

    /// <summary>
    /// Takes what changed since the previous write (the caller stores it and reports back with
    /// <see cref="Completed"/> or <see cref="Failed"/>); null when nothing did.
    /// </summary>
    public SessionShardWrite? TakeWrite()
    {
        if (!HasChanges) return null;
        var seq = ++Progress.WriteSeq;
        var upserts = new List<ShardItem>(_dirty.Count);
        foreach (var id in _dirty)
        {
            var entry = _sessions[id];
            entry.WrittenSeq = seq;
            upserts.Add(new ShardItem(id, SessionStateCodec.Encode(entry.Tracker.State), entry.Tracker.DueAt, seq));
        }
        var write = new SessionShardWrite(seq, Progress.Encode(), upserts, _deletes.ToList());
        _dirty.Clear();
        _deletes.Clear();
        _headerDirty = false;
        return write;
    }

    /// <summary>The write is stored.</summary>
    public void Completed(SessionShardWrite write) => DurableSeq = Math.Max(DurableSeq, write.Seq);

    /// <summary>The write failed: what it held is sent again with the next one.</summary>
    public void Failed(SessionShardWrite write)
    {
        _headerDirty = true;
        foreach (var item in write.Upserts)
        {
            if (_sessions.ContainsKey(item.Key)) _dirty.Add(item.Key);
        }
        foreach (var id in write.Deletes)
        {
            if (!_sessions.ContainsKey(id)) _deletes.Add(id);
        }
    }

    /// <summary>The live view of a session in memory, or null when it is not in memory or has seen no event.</summary>
    public SessionLiveState? Snapshot(string sessionId, DateTime eventTimeNow) =>
        _sessions.TryGetValue(sessionId, out var entry) && entry.Tracker.State.HasStarted ? entry.Tracker.Snapshot(eventTimeNow) : null;

    private bool IsReplay(AnalyticsEvent evt) =>
        Progress.AppliedOffsets.TryGetValue(evt.Partition, out var applied) && evt.Offset <= applied;

    private bool IsStored(string id, Entry entry) => !_dirty.Contains(id) && entry.WrittenSeq <= DurableSeq;

    private sealed class Entry(SessionTracker tracker)
    {
        public SessionTracker Tracker { get; } = tracker;

        /// <summary>Wall-clock ticks of the latest event or read (for releasing idle sessions).</summary>
        public long TouchedAt { get; set; }

        /// <summary>Sequence number of the write that last took this session.</summary>
        public long WrittenSeq { get; set; }

        /// <summary>Set while a batch is being applied, so its row is offered once.</summary>
        public bool Touched { get; set; }
    }
}
