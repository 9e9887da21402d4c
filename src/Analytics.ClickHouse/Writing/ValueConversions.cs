using System.Runtime.InteropServices;
using Analytics.ClickHouse.Rows;

namespace Analytics.ClickHouse.Writing;

/// <summary>Conversions from row properties to the values ClickHouse.Driver serialises.</summary>
internal static class ValueConversions
{
    /// <summary>A UTC <see cref="DateTime"/>: unspecified kind is taken as UTC, local time is converted.</summary>
    public static DateTime Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => value,
        DateTimeKind.Local => value.ToUniversalTime(),
        _ => DateTime.SpecifyKind(value, DateTimeKind.Utc),
    };

    /// <summary>A nullable UTC <see cref="DateTime"/>.</summary>
    public static object? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    /// <summary>A count for a UInt64 column; negative counts are a caller bug.</summary>
    public static ulong Count(long value, string column) => value >= 0
        ? (ulong)value
        : throw new ArgumentOutOfRangeException(column, value, $"{column} must not be negative.");

    /// <summary>A count for a UInt32 column; negative counts are a caller bug.</summary>
    public static uint Count32(int value, string column) => value >= 0
        ? (uint)value
        : throw new ArgumentOutOfRangeException(column, value, $"{column} must not be negative.");

    /// <summary>A boolean for a UInt8 column.</summary>
    public static byte Flag(bool value) => value ? (byte)1 : (byte)0;

    /// <summary>Counts by key for a <c>Map(LowCardinality(String), UInt64)</c> column.</summary>
    public static Dictionary<string, ulong> CountMap(IReadOnlyDictionary<string, long>? counts, string column)
    {
        var map = new Dictionary<string, ulong>(counts?.Count ?? 0, StringComparer.Ordinal);
        if (counts is not null)
        {
            foreach (var (key, value) in counts)
            {
                map[key] = Count(value, column);
            }
        }

        return map;
    }

    /// <summary>Bytes for a <c>String</c> column, without a copy when the memory is a whole array.</summary>
    public static byte[] Bytes(ReadOnlyMemory<byte> value) =>
        MemoryMarshal.TryGetArray(value, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : value.ToArray();

    /// <summary>The stored name of a scope.</summary>
    public static string Name(AnomalyScope scope) => scope switch
    {
        AnomalyScope.Page => "page",
        AnomalyScope.Site => "site",
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown anomaly scope."),
    };

    /// <summary>The stored name of a direction.</summary>
    public static string Name(AnomalyDirection direction) => direction switch
    {
        AnomalyDirection.Spike => "spike",
        AnomalyDirection.Drop => "drop",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "Unknown anomaly direction."),
    };
}
