namespace Analytics.ClickHouse;

/// <summary>SQL text helpers. Database names are validated identifiers; quoting guards against keywords.</summary>
internal static class Sql
{
    /// <summary>A qualified, quoted table name: <c>`db`.`table`</c>.</summary>
    public static string Table(string database, string table) => $"`{database}`.`{table}`";
}
