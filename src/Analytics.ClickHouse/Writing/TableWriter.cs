namespace Analytics.ClickHouse.Writing;

/// <summary>
/// How rows of one type become a binary insert into one table: the column list, the explicit column types (so the
/// driver skips its schema probe query) and the per-row values.
/// </summary>
/// <typeparam name="TRow">The row type.</typeparam>
internal sealed class TableWriter<TRow>
{
    private readonly ColumnSpec<TRow>[] columns;

    public TableWriter(string table, IReadOnlyList<ColumnSpec<TRow>> columns)
    {
        Table = table;
        this.columns = [.. columns];
        ColumnNames = [.. columns.Select(c => c.Name)];
        ColumnTypes = columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal);
    }

    /// <summary>The table name, without database.</summary>
    public string Table { get; }

    /// <summary>The inserted columns, in order.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <summary>The ClickHouse type of each inserted column.</summary>
    public IReadOnlyDictionary<string, string> ColumnTypes { get; }

    /// <summary>Lazily projects <paramref name="count"/> rows starting at <paramref name="offset"/> to value arrays.</summary>
    public IEnumerable<object?[]> Project(IReadOnlyList<TRow> rows, int offset, int count)
    {
        for (var i = offset; i < offset + count; i++)
        {
            var row = rows[i] ?? throw new ArgumentException($"Row {i} for {Table} is null.", nameof(rows));
            var values = new object?[columns.Length];
            for (var c = 0; c < columns.Length; c++)
            {
                values[c] = columns[c].Value(row);
            }

            yield return values;
        }
    }
}
