using System.Globalization;

namespace Analytics.LoadGenerator;

/// <summary>Whether an incident raises or lowers traffic.</summary>
public enum IncidentKind
{
    /// <summary>Traffic is multiplied by a factor greater than 1.</summary>
    Spike,

    /// <summary>Traffic is multiplied by a factor between 0 and 1.</summary>
    Drop,
}

/// <summary>
/// A scheduled change of traffic, for a single page or the whole site:
/// <c>spike:page=/pricing,at=30s,factor=5,for=20s</c>, <c>drop:rank=1,at=1m,factor=0.1,for=30s</c>,
/// <c>spike:at=10s,factor=3,for=10s</c> (whole site).
/// </summary>
/// <remarks>
/// A page incident multiplies that page's traffic and leaves the other pages' traffic unchanged, so the total
/// rate moves by the page's share; a site incident multiplies the total rate.
/// </remarks>
public sealed record IncidentSpec
{
    /// <summary>Spike or drop.</summary>
    public required IncidentKind Kind { get; init; }

    /// <summary>The page path (with or without the page prefix); <see langword="null"/> when by rank or site-wide.</summary>
    public string? Page { get; init; }

    /// <summary>The page's popularity rank, 1 = most popular; <see langword="null"/> when by name or site-wide.</summary>
    public int? Rank { get; init; }

    /// <summary>When the incident starts, measured from the start of the run. Defaults to zero.</summary>
    public TimeSpan At { get; init; }

    /// <summary>The traffic multiplier: above 1 for a spike, in [0, 1) for a drop.</summary>
    public required double Factor { get; init; }

    /// <summary>How long the incident lasts; <see langword="null"/> until the end of the run. Defaults to none.</summary>
    public TimeSpan? For { get; init; }

    /// <summary>Whether the incident targets the whole site rather than one page.</summary>
    public bool IsSiteWide => Page is null && Rank is null;

    /// <summary>Whether the incident is in effect <paramref name="elapsed"/> after the start of the run.</summary>
    public bool IsActive(TimeSpan elapsed) => elapsed >= At && (For is not { } length || elapsed < At + length);

    /// <summary>The page index the incident targets in <paramref name="catalog"/>, or -1 for site-wide or unknown pages.</summary>
    public int ResolvePage(PageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (Rank is { } rank)
        {
            return rank >= 1 && rank <= catalog.Count ? rank - 1 : -1;
        }

        if (Page is null)
        {
            return -1;
        }

        var index = catalog.IndexOf(Page);
        return index >= 0 ? index : catalog.IndexOf(catalog.Prefix + Page);
    }

    /// <summary>Returns what is wrong with this incident against <paramref name="catalog"/>, or <see langword="null"/>.</summary>
    public string? Validate(PageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var name = Kind == IncidentKind.Spike ? "spike" : "drop";
        if (!double.IsFinite(Factor) || (Kind == IncidentKind.Spike ? Factor <= 1 : Factor < 0 || Factor >= 1))
        {
            return Kind == IncidentKind.Spike
                ? $"a spike needs factor > 1, got {Factor.ToString(CultureInfo.InvariantCulture)}"
                : $"a drop needs 0 <= factor < 1, got {Factor.ToString(CultureInfo.InvariantCulture)}";
        }

        if (At < TimeSpan.Zero || For is { } length && length <= TimeSpan.Zero)
        {
            return $"{name}: 'at' must be >= 0 and 'for' > 0";
        }

        if (Page is not null && Rank is not null)
        {
            return $"{name}: give either page= or rank=, not both";
        }

        if (!IsSiteWide && ResolvePage(catalog) < 0)
        {
            return Rank is { } rank
                ? string.Create(CultureInfo.InvariantCulture, $"{name}: rank {rank} is outside 1..{catalog.Count}")
                : $"{name}: page '{Page}' is not one of the generated pages (for example '{catalog[0]}' or '{catalog[catalog.Count - 1]}')";
        }

        return null;
    }

    /// <summary>
    /// Parses <c>kind:key=value,...</c> with kind <c>spike</c> or <c>drop</c> and keys <c>page</c>, <c>rank</c>,
    /// <c>at</c>, <c>factor</c> (required), <c>for</c>. Durations take <see cref="DurationText"/> syntax.
    /// </summary>
    public static bool TryParse(string? text, out IncidentSpec? incident, out string? error)
    {
        incident = null;
        error = null;
        var colon = text?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (text is null || colon < 0)
        {
            error = $"'{text}' must look like spike:page=/x,at=30s,factor=5,for=20s";
            return false;
        }

        IncidentKind kind;
        switch (text[..colon].Trim().ToUpperInvariant())
        {
            case "SPIKE":
                kind = IncidentKind.Spike;
                break;
            case "DROP":
                kind = IncidentKind.Drop;
                break;
            default:
                error = $"unknown incident kind '{text[..colon]}' (use spike or drop)";
                return false;
        }

        string? page = null;
        int? rank = null;
        TimeSpan at = TimeSpan.Zero;
        TimeSpan? length = null;
        double? factor = null;
        foreach (var part in text[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            switch (key)
            {
                case "page" when value.Length > 0:
                    page = value;
                    break;
                case "rank" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r):
                    rank = r;
                    break;
                case "at" when DurationText.TryParse(value, out var a):
                    at = a;
                    break;
                case "for" when DurationText.TryParse(value, out var f):
                    length = f;
                    break;
                case "factor" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x):
                    factor = x;
                    break;
                default:
                    error = $"bad incident setting '{part}' (keys: page, rank, at, factor, for)";
                    return false;
            }
        }

        if (factor is not { } factorValue)
        {
            error = $"'{text}' needs factor=N";
            return false;
        }

        incident = new IncidentSpec { Kind = kind, Page = page, Rank = rank, At = at, For = length, Factor = factorValue };
        return true;
    }
}
