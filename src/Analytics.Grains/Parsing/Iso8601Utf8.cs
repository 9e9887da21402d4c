namespace Analytics.Grains.Parsing;

/// <summary>
/// A fast path for the common ISO-8601 shape <c>yyyy-MM-ddTHH:mm:ss[.fffffff…][Z|±HH:mm]</c> read straight from
/// UTF-8 bytes. It accepts only what the general parser (<see cref="AnalyticsEventParser.TryParseTimestamp"/>) also
/// accepts, with the same result (fractions beyond 7 digits are cut, never rounded; no zone means UTC); anything
/// else, including valid but unusual forms, returns false so the caller falls back to the general parser.
/// </summary>
internal static class Iso8601Utf8
{
    private const long MaxOffsetTicks = 14 * TimeSpan.TicksPerHour;

    /// <summary>Parses <paramref name="text"/> into UTC when it has the common shape; false means "use the general parser".</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTime utc)
    {
        utc = default;
        if (text.Length < 19 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
            return false;
        if (!TryDigits(text[..4], out var year) || !TryDigits(text.Slice(5, 2), out var month) ||
            !TryDigits(text.Slice(8, 2), out var day) || !TryDigits(text.Slice(11, 2), out var hour) ||
            !TryDigits(text.Slice(14, 2), out var minute) || !TryDigits(text.Slice(17, 2), out var second))
            return false;
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) ||
            hour > 23 || minute > 59 || second > 59)
            return false;

        var rest = text[19..];
        long fraction = 0;
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit((char)rest[digits])) digits++;
            if (digits == 1) return false;
            for (var i = 1; i < 8; i++) fraction = fraction * 10 + (i < digits ? rest[i] - '0' : 0);
            rest = rest[digits..];
        }

        long offsetTicks = 0;
        if (rest.Length == 1 && rest[0] == 'Z')
        {
        }
        else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
                 TryDigits(rest.Slice(1, 2), out var offsetHours) && TryDigits(rest.Slice(4, 2), out var offsetMinutes) &&
                 offsetMinutes <= 59)
        {
            offsetTicks = offsetHours * TimeSpan.TicksPerHour + offsetMinutes * TimeSpan.TicksPerMinute;
            if (offsetTicks > MaxOffsetTicks) return false;
            if (rest[0] == '-') offsetTicks = -offsetTicks;
        }
        else if (rest.Length != 0)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + fraction;
        utc = new DateTime(local - offsetTicks, DateTimeKind.Utc);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var b in digits)
        {
            var d = b - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }
}
