using Analytics.ClickHouse.Rows;

namespace Analytics.Grains.Archive;

/// <summary>The rows of one poll (or of the part of a poll inside a previous owner's unfinished range).</summary>
internal sealed record ArchiveBatch(long FirstOffset, long LastOffset, List<RawEventRow> Events, List<DeadLetterRow> DeadLetters)
{
    /// <summary>Rows in the batch.</summary>
    public int Rows => Events.Count + DeadLetters.Count;
}
