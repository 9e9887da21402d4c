using System.Globalization;

namespace Analytics.LoadGenerator;

/// <summary>Parses the durations the command line accepts: <c>90</c> (seconds), <c>500ms</c>, <c>30s</c>, <c>2m</c>, <c>1h</c>.</summary>
public static class DurationText
{
    /// <summary>Parses <paramref name="text"/>; a bare number is seconds. Returns <see langword="false"/> for anything else or a negative value.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var span = text.AsSpan().Trim();
        double unitSeconds = 1;
        if (span.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            unitSeconds = 0.001;
            span = span[..^2];
        }
        else if (span.Length > 0 && char.IsAsciiLetter(span[^1]))
        {
            unitSeconds = char.ToLowerInvariant(span[^1]) switch
            {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                _ => double.NaN,
            };
            span = span[..^1];
        }

        if (double.IsNaN(unitSeconds)
            || !double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            || !double.IsFinite(number)
            || number < 0
            || number * unitSeconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(number * unitSeconds);
        return true;
    }
}
