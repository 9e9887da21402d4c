namespace Analytics.LoadGenerator;

/// <summary>The traffic multipliers in effect at one moment.</summary>
/// <param name="SiteFactor">Multiplies the whole site's rate.</param>
/// <param name="PageFactors">Multiplies single pages' traffic, by page index; pages not listed keep factor 1.</param>
public sealed record TrafficAdjustment(double SiteFactor, IReadOnlyDictionary<int, double> PageFactors)
{
    /// <summary>No change: factor 1 everywhere.</summary>
    public static TrafficAdjustment None { get; } = new(1.0, new Dictionary<int, double>());
}

/// <summary>
/// Turns the <c>--incident</c> list into the <see cref="TrafficAdjustment"/> in effect at each moment of a run.
/// Overlapping incidents on the same target multiply.
/// </summary>
public sealed class IncidentSchedule
{
    private readonly IncidentSpec[] _incidents;
    private readonly int[] _pages;
    private readonly bool[] _active;

    /// <summary>Creates the schedule; page incidents are resolved against <paramref name="catalog"/>.</summary>
    public IncidentSchedule(IReadOnlyList<IncidentSpec> incidents, PageCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        ArgumentNullException.ThrowIfNull(catalog);
        _incidents = [.. incidents];
        _pages = [.. incidents.Select(i => i.ResolvePage(catalog))];
        _active = new bool[_incidents.Length];
    }

    /// <summary>Whether there are any incidents at all.</summary>
    public bool IsEmpty => _incidents.Length == 0;

    /// <summary>The adjustment in effect <paramref name="elapsed"/> after the start of the run.</summary>
    public TrafficAdjustment At(TimeSpan elapsed)
    {
        var site = 1.0;
        var pages = new Dictionary<int, double>();
        for (var i = 0; i < _incidents.Length; i++)
        {
            if (!_incidents[i].IsActive(elapsed))
            {
                continue;
            }

            if (_incidents[i].IsSiteWide)
            {
                site *= _incidents[i].Factor;
            }
            else if (_pages[i] >= 0)
            {
                pages[_pages[i]] = pages.GetValueOrDefault(_pages[i], 1.0) * _incidents[i].Factor;
            }
        }

        return new TrafficAdjustment(site, pages);
    }

    /// <summary>
    /// Returns <see langword="true"/> with the new adjustment when the set of active incidents changed since the
    /// previous call (the first call reports a change only if something is active). Cheap when nothing changed.
    /// </summary>
    public bool TryGetChange(TimeSpan elapsed, out TrafficAdjustment adjustment)
    {
        var changed = false;
        for (var i = 0; i < _incidents.Length; i++)
        {
            var active = _incidents[i].IsActive(elapsed);
            changed |= active != _active[i];
            _active[i] = active;
        }

        adjustment = changed ? At(elapsed) : TrafficAdjustment.None;
        return changed;
    }
}
