namespace Analytics.DevStack;

/// <summary>
/// "--name value" / "--name=value" options and "--flag" switches. Every option must be read by the command;
/// <see cref="ThrowIfUnused"/> then rejects typos instead of silently ignoring them.
/// </summary>
internal sealed class CommandLineOptions
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public static CommandLineOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CommandLineOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new DevStackException($"unexpected argument '{arg}'", ExitCodes.Usage);
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                options.values[arg[2..eq]] = arg[(eq + 1)..];
            }
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                options.values[arg[2..]] = args[++i];
            }
            else
            {
                options.values[arg[2..]] = null; // a switch
            }
        }

        return options;
    }

    public string? GetString(string name)
    {
        used.Add(name);
        return values.TryGetValue(name, out var value) ? value : null;
    }

    public string GetString(string name, string defaultValue) => GetString(name) ?? defaultValue;

    public int GetInt(string name, int defaultValue, int min, int max)
    {
        var text = GetString(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new DevStackException($"--{name} must be an integer in [{min}, {max}], got '{text}'", ExitCodes.Usage);
        }

        return value;
    }

    public bool GetSwitch(string name)
    {
        used.Add(name);
        return values.ContainsKey(name);
    }

    public void ThrowIfUnused()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new DevStackException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}", ExitCodes.Usage);
        }
    }
}
