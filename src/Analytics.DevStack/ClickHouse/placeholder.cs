namespace Analytics.DevStack.ClickHouse;

internal static class ClickHouseCommand
{
    public static Task<int> RunAsync(CommandLineOptions options) => Task.FromResult(0);
}
