namespace Analytics.Contracts.Queries;

/// <summary>
/// A mergeable distinct-count sketch on the wire: while small, the exact set of 64-bit hashes; past that, the
/// registers of a HyperLogLog with <see cref="Precision"/> bits of index. Merging is a union, so resending a
/// sketch is harmless.
/// </summary>
[GenerateSerializer, Immutable]
[Alias("analytics.sketch-data.v1")]
public sealed record SketchData
{
    /// <summary>Index bits of the HyperLogLog (2^Precision registers).</summary>
    [Id(0)] public int Precision { get; init; }

    /// <summary>The exact hashes while the sketch is sparse; null when dense.</summary>
    [Id(1)] public ulong[]? Hashes { get; init; }

    /// <summary>The registers when dense; null while sparse.</summary>
    [Id(2)] public byte[]? Registers { get; init; }
}
