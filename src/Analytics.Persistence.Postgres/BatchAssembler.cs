using System.Diagnostics.CodeAnalysis;

namespace Analytics.Persistence.Postgres;

/// <summary>
/// Picks the next batch (pure logic): requests held back from an earlier batch first, in arrival order, then new
/// ones, up to a size limit. A request whose key is already in the batch is held back for the next one: two
/// writes of the same row in one statement would make the row's outcome depend on the join order.
/// </summary>
internal static class BatchAssembler
{
    /// <summary>
    /// Fills a batch from <paramref name="heldBack"/> (emptied and refilled with what must wait) and then from
    /// <paramref name="tryTake"/> until <paramref name="maxSize"/> or no request is waiting.
    /// </summary>
    /// <param name="heldBack">Requests held back by the previous call; on return, those held back by this one.</param>
    /// <param name="tryTake">Takes the next waiting request, if any.</param>
    /// <param name="maxSize">The batch size limit.</param>
    /// <param name="keyOf">The request's row key, or null when requests may share a batch whatever their key (reads).</param>
    public static List<T> Take<T>(List<T> heldBack, TryTake<T> tryTake, int maxSize, Func<T, object>? keyOf)
    {
        var batch = new List<T>(Math.Min(maxSize, 64));
        var keys = keyOf is null ? null : new HashSet<object>();
        var earlier = heldBack.ToArray();
        heldBack.Clear();
        foreach (var request in earlier) Offer(request);
        while (batch.Count < maxSize && tryTake(out var next)) Offer(next);
        return batch;

        void Offer(T request)
        {
            if (batch.Count < maxSize && (keys is null || keys.Add(keyOf!(request)))) batch.Add(request);
            else heldBack.Add(request);
        }
    }

    /// <summary>Takes the next waiting request, like <c>ChannelReader.TryRead</c>.</summary>
    public delegate bool TryTake<T>([MaybeNullWhen(false)] out T item);
}
