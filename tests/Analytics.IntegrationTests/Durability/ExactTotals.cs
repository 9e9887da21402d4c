using System.Globalization;
using System.Text;
using Analytics.IntegrationTests.Infrastructure;
using Analytics.LoadGenerator;
using Confluent.Kafka;
using Xunit;

namespace Analytics.IntegrationTests.Durability;

/// <summary>
/// The effectively-once check after a disturbed run: what ClickHouse holds equals the producer's record exactly.
/// <list type="bullet">
/// <item><c>page_views_1m FINAL</c>: per page and minute, views and unique visitors equal what was sent on time.</item>
/// <item><c>page_views</c>: one row per well-formed event sent: <c>count()</c> = <c>uniqExact(kafka_partition, kafka_offset)</c>.</item>
/// <item><c>dead_letters</c>: one row per malformed message sent, likewise.</item>
/// <item><c>sessions FINAL</c>: the sessions' event counts add up to the well-formed events sent (every generated
/// event has a session), so no session counted an event twice or missed one.</item>
/// <item>No event was made late by the disturbance (<c>late_events</c> is empty; none were sent late).</item>
/// <item>The consumer group's committed offsets reach the end of every partition (nothing stuck uncommitted).</item>
/// </list>
/// Waits (with deadlines) only for the data to arrive; then asserts equality, so a double count fails at once.
/// </summary>
public static class ExactTotals
{
    public static async Task AssertAsync(DurabilityEnvironment environment, SendRecord record)
    {
        var db = environment.Database;
        var sql = environment.Sql;
        var totals = record.Totals;
        var wellFormed = totals.Delivered - totals.Malformed;
        Assert.True(totals.PageViewsOnTime > 0, "the load sent no page views");

        // The last window becomes final by wall clock at its end + lateness + grace; then one flush.
        var windowDeadline = TimeSpan.FromSeconds(60) + DurabilityEnvironment.AllowedLateness + DurabilityEnvironment.WallClockGrace + TimeSpan.FromSeconds(45);
        await Eventually.WaitAsync(
            async () => await sql.ScalarAsync($"SELECT count() FROM {db}.page_views") >= wellFormed
                && await sql.ScalarAsync($"SELECT count() FROM {db}.dead_letters") >= totals.Malformed
                && await sql.ScalarAsync($"SELECT toInt64(sum(views)) FROM {db}.page_views_1m FINAL") >= totals.PageViewsOnTime
                && await sql.ScalarAsync($"SELECT count() FROM {db}.page_views_1m FINAL") >= record.PageMinutes.Count
                && await SessionEventsAsync(sql, db) >= wellFormed,
            windowDeadline,
            "ClickHouse to hold every event sent",
            () => DescribeAsync(environment, record));

        var problems = new List<string>();
        await CheckRollupsAsync(environment, record, problems);
        await CheckExactlyOnceAsync(sql, $"{db}.page_views", wellFormed, "well-formed events", problems);
        await CheckExactlyOnceAsync(sql, $"{db}.dead_letters", totals.Malformed, "malformed messages", problems);
        await CheckNothingLateAsync(sql, db, problems);
        var sessionEvents = await SessionEventsAsync(sql, db);
        if (sessionEvents != wellFormed) problems.Add($"sum(event_count) in sessions FINAL is {sessionEvents}, well-formed events sent {wellFormed} (difference {sessionEvents - wellFormed})");
        if (problems.Count > 0)
        {
            Assert.Fail($"ClickHouse does not match what was sent:{Environment.NewLine}- {string.Join(Environment.NewLine + "- ", problems)}{Environment.NewLine}{await DescribeAsync(environment, record)}");
        }

        await Eventually.WaitAsync(
            async () => (await CommittedLagAsync(environment)).Values.All(lag => lag == 0),
            TimeSpan.FromSeconds(30),
            "the consumer group's committed offsets to reach the end of every partition",
            async () => string.Join(", ", (await CommittedLagAsync(environment)).Select(kv => $"p{kv.Key}: {kv.Value} uncommitted")));
    }

    private static async Task CheckRollupsAsync(DurabilityEnvironment environment, SendRecord record, List<string> problems)
    {
        var rows = await environment.Sql.QueryAsync(
            $"SELECT page, toString(minute) AS minute, views, unique_visitors FROM {environment.Database}.page_views_1m FINAL");
        var actual = rows.ToDictionary(
            r => (r.GetProperty("page").GetString()!, ParseMinute(r.GetProperty("minute").GetString()!)),
            r => (Views: r.GetProperty("views").GetInt64(), Uniques: r.GetProperty("unique_visitors").GetInt64()));
        var expected = record.PageMinutes.ToDictionary(m => (m.Page, m.Minute), m => (m.Views, Uniques: m.UniqueVisitors));

        var sentViews = record.Totals.PageViewsOnTime;
        var storedViews = actual.Values.Sum(v => v.Views);
        if (storedViews != sentViews) problems.Add($"sum(views) in page_views_1m FINAL is {storedViews}, sent on time {sentViews} (difference {storedViews - sentViews})");
        var wrong = expected.Keys.Union(actual.Keys)
            .Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .OrderBy(k => k.Item2).ThenBy(k => k.Item1, StringComparer.Ordinal)
            .ToList();
        if (wrong.Count > 0)
        {
            problems.Add($"{wrong.Count} of {expected.Count} page-minutes differ (sent views/uniques -> stored), e.g. " + string.Join("; ", wrong.Take(8).Select(k =>
                $"{k.Item1}@{k.Item2:HH:mm}: {expected.GetValueOrDefault(k).Views}/{expected.GetValueOrDefault(k).Uniques} -> {actual.GetValueOrDefault(k).Views}/{actual.GetValueOrDefault(k).Uniques}")));
        }
    }

    /// <summary>
    /// Nothing was sent late, so nothing may be late: not in <c>late_events</c>, not flagged in the archive (judged at
    /// poll time against the watermark), not counted in a rollup (which also catches late events whose flush grain
    /// died before writing them to <c>late_events</c>).
    /// </summary>
    private static async Task CheckNothingLateAsync(ClickHouseHttp sql, string db, List<string> problems)
    {
        var late = await sql.ScalarAsync($"SELECT count() FROM {db}.late_events");
        var flagged = await sql.ScalarAsync($"SELECT count() FROM {db}.page_views WHERE is_late != 0");
        var counted = await sql.ScalarAsync($"SELECT toInt64(sum(late_events)) FROM {db}.page_views_1m FINAL");
        if (late != 0 || flagged != 0 || counted != 0)
        {
            problems.Add($"late although none were sent late (recovery took longer than the allowed lateness): late_events {late} rows, " +
                $"page_views {flagged} rows flagged is_late, page_views_1m FINAL sum(late_events) {counted}");
        }
    }

    private static Task<long> SessionEventsAsync(ClickHouseHttp sql, string db) =>
        sql.ScalarAsync($"SELECT toInt64(sum(event_count)) FROM {db}.sessions FINAL");

    private static async Task CheckExactlyOnceAsync(ClickHouseHttp sql, string table, long sent, string what, List<string> problems)
    {
        var rows = await sql.ScalarAsync($"SELECT count() FROM {table}");
        var distinct = await sql.ScalarAsync($"SELECT uniqExact(kafka_partition, kafka_offset) FROM {table}");
        if (rows != sent || distinct != sent)
        {
            problems.Add($"{table}: {rows} rows, {distinct} distinct (partition, offset), {sent} {what} sent ({rows - distinct} duplicate rows, {sent - distinct} missing)");
        }
    }

    /// <summary>Per partition: the high watermark minus the consumer group's committed offset.</summary>
    public static Task<Dictionary<int, long>> CommittedLagAsync(DurabilityEnvironment environment) =>
        ConsumerGroupLag.CommittedLagAsync(environment.Kafka.BootstrapServers, environment.ConsumerGroup, environment.Topic, DurabilityEnvironment.Partitions);

    /// <summary>Everything useful when the totals do not match.</summary>
    public static async Task<string> DescribeAsync(DurabilityEnvironment environment, SendRecord record)
    {
        var db = environment.Database;
        var sql = environment.Sql;
        var text = new StringBuilder();
        var t = record.Totals;
        text.AppendLine(CultureInfo.InvariantCulture, $"sent: delivered {t.Delivered}, page views on time {t.PageViewsOnTime}, other {t.OtherEvents}, malformed {t.Malformed}, late {t.Late}; {record.PageMinutes.Count} page-minutes");
        await Append("page_views_1m FINAL", $"SELECT toString(minute) AS minute, count() AS pages, sum(views) AS views, max(version) AS max_version FROM {db}.page_views_1m FINAL GROUP BY minute ORDER BY minute");
        text.AppendLine(CultureInfo.InvariantCulture, $"sent per minute: {string.Join(", ", record.PageMinutes.GroupBy(m => m.Minute).OrderBy(g => g.Key).Select(g => $"{g.Key:HH:mm}: {g.Count()} pages, {g.Sum(m => m.Views)} views"))}");
        await Append("page_views per partition", $"SELECT kafka_partition, count() AS rows, uniqExact(kafka_offset) AS distinct_offsets, min(kafka_offset) AS min, max(kafka_offset) AS max FROM {db}.page_views GROUP BY kafka_partition ORDER BY kafka_partition");
        await Append("dead_letters", $"SELECT count() AS rows, uniqExact(kafka_partition, kafka_offset) AS distinct_positions FROM {db}.dead_letters");
        await Append("duplicated dead letters", $"SELECT kafka_partition, kafka_offset, count() AS n, groupArray(toString(received_at)) AS received, any(reason) AS reason FROM {db}.dead_letters GROUP BY kafka_partition, kafka_offset HAVING n > 1 ORDER BY kafka_partition, kafka_offset LIMIT 10");
        await Append("duplicated events", $"SELECT kafka_partition, kafka_offset, count() AS n, groupArray(toString(ingested_at)) AS ingested FROM {db}.page_views GROUP BY kafka_partition, kafka_offset HAVING n > 1 ORDER BY kafka_partition, kafka_offset LIMIT 10");
        await Append("late_events", $"SELECT toString(minute) AS minute, count() AS n, min(detected_at) AS first_detected FROM {db}.late_events GROUP BY minute ORDER BY minute");
        try
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"uncommitted per partition: {string.Join(", ", (await CommittedLagAsync(environment)).Select(kv => $"p{kv.Key}: {kv.Value}"))}");
        }
        catch (KafkaException e)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"committed offsets unavailable: {e.Message}");
        }

        text.AppendLine(environment.DescribeSilos());
        return text.ToString();

        async Task Append(string title, string query)
        {
            try
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{title}: {string.Join(" | ", await sql.QueryAsync(query))}");
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or TaskCanceledException)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"{title}: query failed: {e.Message}");
            }
        }
    }

    private static DateTime ParseMinute(string text) =>
        DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc);
}
