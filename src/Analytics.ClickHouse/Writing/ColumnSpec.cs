namespace Analytics.ClickHouse.Writing;

/// <summary>One inserted column: its name, its ClickHouse type as <c>system.columns</c> prints it, and its value.</summary>
/// <typeparam name="TRow">The row type.</typeparam>
/// <param name="Name">The column name.</param>
/// <param name="Type">The ClickHouse type, e.g. <c>DateTime64(3, 'UTC')</c>.</param>
/// <param name="Value">Reads the column value of a row, converted to what ClickHouse.Driver serialises for the type.</param>
internal sealed record ColumnSpec<TRow>(string Name, string Type, Func<TRow, object?> Value);
