using Analytics.ClickHouse.Rows;

namespace Analytics.Grains.Archive;

/// <summary>
/// One insert of a partition's offset range into <c>page_views</c> and <c>dead_letters</c>. Until it succeeds it is
/// retried unchanged: the same batches and the same range, hence the same deduplication tokens.
/// </summary>
internal sealed class ArchiveWrite(string topic, int partition, ArchiveRange range, List<ArchiveBatch> batches, bool claimed)
{
    /// <summary>The topic.</summary>
    public string Topic { get; } = topic;

    /// <summary>The offsets the insert covers (also what the ledger records as claimed).</summary>
    public ArchiveRange Range { get; } = range;

    /// <summary>The batches written, the oldest pending ones of the partition.</summary>
    public List<ArchiveBatch> Batches { get; } = batches;

    /// <summary>Whether the ledger has recorded the claim of <see cref="Range"/> under this silo's lease.</summary>
    public bool Claimed { get; set; } = claimed;

    /// <summary>Rows in the write.</summary>
    public int Rows => Batches.Sum(b => b.Rows);

    /// <summary>The well-formed events, for <c>page_views</c>.</summary>
    public List<RawEventRow> Events() => Batches.SelectMany(b => b.Events).ToList();

    /// <summary>The malformed records, for <c>dead_letters</c>.</summary>
    public List<DeadLetterRow> DeadLetters() => Batches.SelectMany(b => b.DeadLetters).ToList();

    /// <summary>
    /// The insert's deduplication token for <paramref name="table"/>: a function of the partition and range only, so
    /// every owner that writes this range (a retry, or the next owner repeating an unfinished claim) sends the same
    /// token and ClickHouse keeps the rows once.
    /// </summary>
    public string Token(string table) => $"{table}:{Topic}:{partition}:{Range.First}-{Range.Last}";
}
