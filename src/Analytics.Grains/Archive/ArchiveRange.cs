namespace Analytics.Grains.Archive;

/// <summary>An inclusive range of Kafka offsets of one partition that is written to ClickHouse as one insert.</summary>
[GenerateSerializer, Immutable]
[Alias("analytics.archive-range.v1")]
public readonly record struct ArchiveRange([property: Id(0)] long First, [property: Id(1)] long Last)
{
    /// <summary>Whether <paramref name="offset"/> lies in the range.</summary>
    public bool Contains(long offset) => offset >= First && offset <= Last;

    /// <inheritdoc />
    public override string ToString() => $"{First}-{Last}";
}
