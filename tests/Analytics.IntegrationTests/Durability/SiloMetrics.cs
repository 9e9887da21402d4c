using System.Globalization;
using System.Text.RegularExpressions;
using Analytics.IntegrationTests.Infrastructure;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// What a silo's /metrics says about its Kafka partitions: which it reads now (the <c>kafka_consumer_lag</c> gauge
/// has a series exactly for the partitions whose receiver runs and has polled records) and how many records it
/// consumed from each (<c>kafka_records_consumed_total</c>, per process lifetime).
/// </summary>
public sealed partial record SiloMetrics(IReadOnlySet<int> OwnedPartitions, IReadOnlyDictionary<int, long> ConsumedByPartition)
{
    /// <summary>Scrapes <paramref name="silo"/>.</summary>
    public static async Task<SiloMetrics> ScrapeAsync(SiloProcess silo)
    {
        var text = await silo.GetMetricsAsync();
        var owned = new HashSet<int>();
        var consumed = new Dictionary<int, long>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("kafka_consumer_lag{", StringComparison.Ordinal) && Partition(line) is { } p)
            {
                owned.Add(p);
            }
            else if (line.StartsWith("kafka_records_consumed_total{", StringComparison.Ordinal) && Partition(line) is { } q)
            {
                consumed[q] = consumed.GetValueOrDefault(q) + (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return new SiloMetrics(owned, consumed);
    }

    /// <summary>Scrapes <paramref name="silo"/>, or returns null when it does not answer (dead or starting).</summary>
    public static async Task<SiloMetrics?> TryScrapeAsync(SiloProcess silo)
    {
        try
        {
            return await ScrapeAsync(silo);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public long Consumed(int partition) => ConsumedByPartition.GetValueOrDefault(partition);

    public override string ToString() =>
        $"owns [{string.Join(',', OwnedPartitions.Order())}], consumed {{{string.Join(", ", ConsumedByPartition.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}: {kv.Value}"))}}}";

    private static int? Partition(string line) =>
        PartitionLabel().Match(line) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    [GeneratedRegex("[{,]partition=\"(\\d+)\"")]
    private static partial Regex PartitionLabel();
}
