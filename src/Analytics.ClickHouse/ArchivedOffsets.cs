namespace Analytics.ClickHouse;

/// <summary>
/// How far one Kafka partition is archived, per table: the highest offset <c>page_views</c> holds and the highest
/// offset <c>dead_letters</c> holds, each <see langword="null"/> when the table holds none of the partition. The two
/// tables are written by separate inserts, so after a crash between them one can be ahead of the other: a replay must
/// skip each table's rows by that table's own offset.
/// </summary>
/// <param name="Events">The highest offset in <c>page_views</c>, or null.</param>
/// <param name="DeadLetters">The highest offset in <c>dead_letters</c>, or null.</param>
public readonly record struct ArchivedOffsets(long? Events, long? DeadLetters);
