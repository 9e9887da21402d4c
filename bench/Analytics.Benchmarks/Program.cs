using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Analytics.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(Analytics.Benchmarks.PollPathBenchmarks).Assembly).Run(args);
