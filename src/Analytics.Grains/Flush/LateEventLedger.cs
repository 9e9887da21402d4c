using System.Security.Cryptography;
using System.Text;
using Analytics.Contracts.Flush;

namespace Analytics.Grains.Flush;

/// <summary>
/// A flush grain's late events on their way to <c>late_events</c>, kept in <see cref="FlushGrainState"/> so that
/// they survive the flush grain's silo once a hand-over has returned (the page grain forgets them then).
/// </summary>
/// <remarks>
/// <para>
/// Writes follow one rule: <b>seal, persist, insert, forget, persist</b>. Pending events are sealed into one batch
/// whose deduplication token is a hash of its Kafka positions, and the seal is persisted before the insert; until
/// the insert has succeeded that batch, and only it, is retried under that token, by this activation or by a new one
/// after a crash. An insert that landed but was not reported (timeout, crash before forgetting it) is therefore
/// repeated exactly and ClickHouse drops the repeat. Events handed over meanwhile wait for the next batch.
/// </para>
/// <para>
/// Not thread-safe: the flush grain (not reentrant, non-interleaving timer) calls it one turn at a time.
/// </para>
/// </remarks>
internal sealed class LateEventLedger
{
    /// <summary>Late events a flush grain holds at most; beyond, hand-overs are refused and wait in page grain state.</summary>
    public const int DefaultCapacity = 10_000;

    /// <summary>Positions of written late events remembered to drop a repeated hand-over.</summary>
    public const int RememberedPositions = 4_096;

    private readonly FlushGrainState _state;
    private readonly string _topic;
    private readonly Func<Task> _persist;
    private readonly int _capacity;

    // Every position in Pending, Sealed and Written: a hand-over of any of them again is a repeat.
    private readonly HashSet<KafkaPosition> _known = [];
    private bool _unsaved;

    /// <summary>Creates a ledger over <paramref name="state"/> as loaded (it may hold a sealed batch to retry).</summary>
    /// <param name="state">The grain state; the ledger mutates it in place.</param>
    /// <param name="topic">The Kafka topic of the events (part of the token).</param>
    /// <param name="persist">Writes <paramref name="state"/> to grain storage (a no-op when state is not persisted).</param>
    /// <param name="capacity">Events held at most (pending and sealed).</param>
    public LateEventLedger(FlushGrainState state, string topic, Func<Task> persist, int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _state = state;
        _topic = topic;
        _persist = persist;
        _capacity = capacity;
        foreach (var late in state.Pending) _known.Add(KafkaPosition.Of(late));
        foreach (var late in state.Sealed?.Events ?? []) _known.Add(KafkaPosition.Of(late));
        _known.UnionWith(state.Written);
    }

    /// <summary>Late events held: pending and sealed.</summary>
    public int Count => _state.Pending.Count + (_state.Sealed?.Events.Length ?? 0);

    /// <summary>Whether <paramref name="count"/> more events fit.</summary>
    public bool HasRoomFor(int count) => Count + count <= _capacity;

    /// <summary>
    /// Adds <paramref name="events"/> (skipping ones already held or recently written) and persists them; when this
    /// returns they survive a crash. If persisting fails it throws and the ledger forgets them, so the caller can
    /// hand them over again.
    /// </summary>
    public async Task AddAsync(IReadOnlyList<LateEvent> events)
    {
        var added = 0;
        foreach (var late in events)
        {
            if (!_known.Add(KafkaPosition.Of(late))) continue;
            _state.Pending.Add(late);
            added++;
        }
        if (added == 0) return;
        try
        {
            await SaveAsync();
        }
        catch
        {
            // The page grain keeps what it could not hand over; holding it here too would write it twice once the
            // page grain hands it over again, and the next successful save drops it from storage as well.
            var first = _state.Pending.Count - added;
            foreach (var late in _state.Pending.Skip(first)) _known.Remove(KafkaPosition.Of(late));
            _state.Pending.RemoveRange(first, added);
            throw;
        }
    }

    /// <summary>
    /// Writes the sealed batch through <paramref name="write"/>, sealing the pending events first if none is sealed;
    /// returns the number of events written (0 if none were held). On failure the batch stays sealed for the next
    /// call, which repeats it with the same rows and token.
    /// </summary>
    /// <param name="write">Inserts a batch under its token; must be idempotent per token.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task<int> FlushAsync(Func<SealedLateBatch, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        if (_state.Sealed is null)
        {
            if (_state.Pending.Count == 0)
            {
                if (_unsaved) await SaveAsync();
                return 0;
            }
            _state.Sealed = Seal(_state.Pending, _topic);
            _state.Pending = [];
            _unsaved = true;
        }
        // The seal must be durable before the insert: if the insert lands and the silo dies, the next activation
        // must retry this very batch under this very token, not a new batch that also holds these events.
        if (_unsaved) await SaveAsync();

        var batch = _state.Sealed;
        await write(batch, cancellationToken);
        Forget(batch);
        // If this save fails or the silo dies first, storage still holds the seal: it is written again under its
        // token, which ClickHouse drops. The next save (or this flush's next call) catches up.
        await SaveAsync();
        return batch.Events.Length;
    }

    /// <summary>The token of a batch of <paramref name="events"/>: the same set of positions, the same token.</summary>
    public static string TokenOf(string topic, IEnumerable<LateEvent> events)
    {
        var text = new StringBuilder(topic);
        foreach (var position in events.Select(KafkaPosition.Of).OrderBy(p => p.Partition).ThenBy(p => p.Offset))
        {
            text.Append(';').Append(position.Partition).Append(':').Append(position.Offset);
        }
        return "late-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static SealedLateBatch Seal(List<LateEvent> pending, string topic)
    {
        // Ordered by position so the rows, like the token, depend only on which events the batch holds.
        var events = pending.OrderBy(l => l.Event.Partition).ThenBy(l => l.Event.Offset).ToArray();
        return new SealedLateBatch(TokenOf(topic, events), events);
    }

    private void Forget(SealedLateBatch batch)
    {
        _state.Sealed = null;
        _state.Written.AddRange(batch.Events.Select(KafkaPosition.Of));
        var excess = _state.Written.Count - RememberedPositions;
        if (excess > 0)
        {
            foreach (var position in _state.Written.Take(excess)) _known.Remove(position);
            _state.Written.RemoveRange(0, excess);
        }
        _unsaved = true;
    }

    private async Task SaveAsync()
    {
        _unsaved = true;
        await _persist();
        _unsaved = false;
    }
}
