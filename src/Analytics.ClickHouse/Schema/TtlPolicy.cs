namespace Analytics.ClickHouse.Schema;

/// <summary>The retention of one raw table: rows expire a number of days after a time column (0 = never).</summary>
/// <param name="Table">The table name.</param>
/// <param name="TimeColumn">The DateTime64 column the retention counts from.</param>
/// <param name="Days">Days to keep; 0 keeps rows forever.</param>
internal sealed record TtlPolicy(string Table, string TimeColumn, int Days)
{
    /// <summary>The TTL expression exactly as ClickHouse prints it back in <c>system.tables.engine_full</c>.</summary>
    public string? Expression => Days == 0 ? null : $"toDateTime({TimeColumn}) + toIntervalDay({Days})";

    /// <summary>The retention policies the options ask for.</summary>
    public static IReadOnlyList<TtlPolicy> From(ClickHouseOptions options) =>
    [
        new(ClickHouseTables.PageViews, "timestamp", options.RawEventsTtlDays),
        new(ClickHouseTables.LateEvents, "detected_at", options.LateEventsTtlDays),
        new(ClickHouseTables.DeadLetters, "received_at", options.DeadLettersTtlDays),
    ];
}
