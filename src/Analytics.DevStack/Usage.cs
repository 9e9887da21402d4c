namespace Analytics.DevStack;

/// <summary>The command-line help, printed for an unknown command.</summary>
internal static class Usage
{
    public static int Print()
    {
        Console.Error.WriteLine(
            """
            usage:
              Analytics.DevStack kafka [--port 9092] [--partitions 8] [--brokers 1]
                                       [--topics analytics-events,analytics-anomalies,analytics-events-dlq]
              Analytics.DevStack clickhouse --path DIR [--lib .cache/chdb/libchdb.so]
                                       [--http-port 8123] [--tcp-port 9000]
            common options:
              --exit-on-stdin-close    also stop when stdin reaches end of file (used by test fixtures so
                                       the peer dies with the test process that started it)
            Port 0 picks a free ephemeral port. Prints one "READY ..." line on stdout when usable, then runs
            until SIGTERM or SIGINT.
            exit codes: 0 stopped cleanly, 1 failed, 2 bad usage, 3 prerequisite missing, 4 port in use
            """);
        return ExitCodes.Usage;
    }
}
