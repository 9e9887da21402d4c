using Analytics.LoadGenerator;

return await LoadGeneratorCli.RunAsync(args, Console.Out, Console.Error);
