using Analytics.DevStack;
using Analytics.DevStack.ClickHouse;
using Analytics.DevStack.Kafka;

// Dev and test tooling: each subcommand runs one real protocol peer in this process until SIGTERM/SIGINT.
// stdout carries exactly one machine-readable "READY ..." line; everything else goes to stderr.
try
{
    return args switch
    {
        ["kafka", .. var rest] => await KafkaCommand.RunAsync(CommandLineOptions.Parse(rest)),
        ["clickhouse", .. var rest] => await ClickHouseCommand.RunAsync(CommandLineOptions.Parse(rest)),
        _ => Usage.Print(),
    };
}
catch (DevStackException e)
{
    await Console.Error.WriteLineAsync($"error: {e.Message}");
    return e.ExitCode;
}
