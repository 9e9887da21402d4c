using Analytics.ClickHouse.Rows;

namespace Analytics.Grains.Archive;

/// <summary>
/// What one silo holds of one partition's archive: rows polled but not yet written, the write in progress, and the
/// partition's lease. Pure bookkeeping (no I/O, not thread-safe; <see cref="EventArchiver"/> serialises access).
/// </summary>
/// <remarks>
/// <para>
/// Rows are written in offset order as ranges, each claimed in the ledger before its insert. A range is never extended
/// once claimed: a failed insert is retried with the same rows and token, newer polls wait for the next range.
/// </para>
/// <para>
/// A new owner learns the previous owner's last claim (<see cref="ArchiveLease.LastClaim"/>). Everything below it is
/// archived. The claim itself may or may not have landed: either the offset commit passed its start (it landed; the
/// replay starts inside or above it) or the replay covers it, and then its rows are collected into exactly that range
/// and written under its token, so a late-landing insert of the previous owner and this one leave one copy.
/// </para>
/// </remarks>
internal sealed class PartitionArchive
{
    private readonly Queue<ArchiveBatch> _pending = new();
    private readonly string _topic;
    private readonly int _partition;
    private long _eventsFrom;
    private long _deadLettersFrom;
    private ArchiveRange? _unfinished;
    private bool _polled;

    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="lease">This silo's lease on the partition.</param>
    /// <param name="eventsThrough">The highest offset <c>page_views</c> holds for the partition, if any.</param>
    /// <param name="deadLettersThrough">The highest offset <c>dead_letters</c> holds for the partition, if any.</param>
    public PartitionArchive(string topic, int partition, ArchiveLease lease, long? eventsThrough, long? deadLettersThrough)
    {
        _topic = topic;
        _partition = partition;
        LeaseId = lease.LeaseId;
        _unfinished = lease.LastClaim;
        _eventsFrom = ResumeAt(lease.LastClaim, eventsThrough);
        _deadLettersFrom = ResumeAt(lease.LastClaim, deadLettersThrough);
        // Both tables hold the claim's end: it landed whole, there is nothing to repeat.
        if (lease.LastClaim is { } claim && Math.Min(_eventsFrom, _deadLettersFrom) > claim.Last) _unfinished = null;
    }

    /// <summary>
    /// Where a table resumes. With a last claim: after it if the table holds its end, else at its start — the claim is
    /// repeated whole under its token, because a table holding part of it may hold one of two monthly parts of the
    /// insert, and only the same insert (split the same way) fills the gap without duplicating the other. Without one
    /// (a new ledger): after the table's highest offset, per table, as a crash between the two inserts leaves one ahead.
    /// </summary>
    private static long ResumeAt(ArchiveRange? lastClaim, long? tableThrough) => lastClaim switch
    {
        { } claim when tableThrough >= claim.Last => tableThrough.Value + 1,
        { } claim => claim.First,
        null => tableThrough is { } through ? through + 1 : 0,
    };

    /// <summary>The lease under which this silo claims ranges.</summary>
    public Guid LeaseId { get; }

    /// <summary>The write being attempted (retried unchanged until it succeeds), if any.</summary>
    public ArchiveWrite? InFlight { get; private set; }

    /// <summary>Set when the lease was revoked: the first offset this silo did not write. Nothing is buffered after it.</summary>
    public long? RevokedAt { get; private set; }

    /// <summary>Rows buffered (including those of <see cref="InFlight"/>).</summary>
    public int PendingRows { get; private set; }

    /// <summary>
    /// The first offset not yet archived by this silo, below which the partition's offset may be committed; null when
    /// nothing is pending. After a revocation it stays at the first unwritten offset: the next owner writes the rest, and
    /// a commit past it by this silo would let a later owner skip rows nobody wrote.
    /// </summary>
    public long? DurableOffset => RevokedAt ?? (_pending.TryPeek(out var oldest) ? oldest.FirstOffset : null);

    /// <summary>Buffers a poll of offsets <paramref name="first"/>..<paramref name="last"/>; returns the rows kept.</summary>
    public int Add(long first, long last, List<RawEventRow> events, List<DeadLetterRow> deadLetters)
    {
        if (RevokedAt is not null) return 0;
        if (!_polled && _unfinished is { } landed && first > landed.First)
        {
            // The replay (its first poll) starts inside or above the previous owner's last claim, so the offset commit
            // passed the claim's start, which the archive allows only once the claim's insert succeeded (the commit may
            // stop inside the claim: it also waits for deliveries). All of it is archived.
            _eventsFrom = Math.Max(_eventsFrom, landed.Last + 1);
            _deadLettersFrom = Math.Max(_deadLettersFrom, landed.Last + 1);
            _unfinished = null;
        }
        _polled = true;
        if (first < Math.Max(_eventsFrom, _deadLettersFrom))
        {
            // A replay: drop what each table already holds.
            events.RemoveAll(e => e.KafkaOffset < _eventsFrom);
            deadLetters.RemoveAll(d => d.KafkaOffset < _deadLettersFrom);
            if (events.Count + deadLetters.Count == 0) return 0;
            first = Math.Max(first, Math.Min(_eventsFrom, _deadLettersFrom));
        }
        if (_unfinished is { } unfinished)
        {
            if (last > unfinished.Last)
            {
                // The claim's rows must form their own write: split the poll at its end.
                Enqueue(new ArchiveBatch(first, unfinished.Last,
                    events.FindAll(e => e.KafkaOffset <= unfinished.Last), deadLetters.FindAll(d => d.KafkaOffset <= unfinished.Last)));
                events.RemoveAll(e => e.KafkaOffset <= unfinished.Last);
                deadLetters.RemoveAll(d => d.KafkaOffset <= unfinished.Last);
                first = unfinished.Last + 1;
            }
        }
        Enqueue(new ArchiveBatch(first, last, events, deadLetters));
        return events.Count + deadLetters.Count;
    }

    /// <summary>
    /// The write to attempt now: the one in flight again, else the previous owner's unfinished range once all its rows
    /// are here, else the oldest pending batches up to <paramref name="maxRows"/> rows (at least one batch).
    /// </summary>
    public ArchiveWrite? NextWrite(int maxRows)
    {
        if (InFlight is not null || RevokedAt is not null) return InFlight;
        if (_pending.Count == 0) return null;
        if (_unfinished is { } unfinished)
        {
            // Wait until the poll that reaches the claim's end arrived: the range must be written whole.
            if (!_pending.Any(b => b.LastOffset >= unfinished.Last)) return null;
            var batches = _pending.TakeWhile(b => b.LastOffset <= unfinished.Last).ToList();
            var write = new ArchiveWrite(_topic, _partition, unfinished, batches, claimed: true);
            if (write.Rows > 0) return InFlight = write;
            // All of it is in ClickHouse already (the previous owner's insert landed): nothing to repeat.
            InFlight = write;
            Completed(write);
            if (_pending.Count == 0) return null;
        }
        var taken = new List<ArchiveBatch>();
        var rows = 0;
        foreach (var batch in _pending)
        {
            if (taken.Count > 0 && rows + batch.Rows > maxRows) break;
            taken.Add(batch);
            rows += batch.Rows;
        }
        return InFlight = new ArchiveWrite(_topic, _partition, new ArchiveRange(taken[0].FirstOffset, taken[^1].LastOffset), taken, claimed: false);
    }

    /// <summary>The in-flight write landed: its batches leave the buffer.</summary>
    public void Completed(ArchiveWrite write)
    {
        if (!ReferenceEquals(write, InFlight)) return;
        foreach (var _ in write.Batches) _pending.Dequeue();
        PendingRows -= write.Rows;
        if (_unfinished == write.Range) _unfinished = null;
        InFlight = null;
    }

    /// <summary>The lease was revoked: drops every buffered row (the next owner writes them); returns how many.</summary>
    public int Revoke()
    {
        RevokedAt ??= DurableOffset ?? 0;
        var dropped = PendingRows;
        _pending.Clear();
        PendingRows = 0;
        InFlight = null;
        return dropped;
    }

    private void Enqueue(ArchiveBatch batch)
    {
        _pending.Enqueue(batch);
        PendingRows += batch.Rows;
    }
}
