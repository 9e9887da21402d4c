using System.Globalization;

namespace Analytics.LoadGenerator;

/// <summary>
/// The site's pages, by popularity rank: index 0 is the most popular. Names depend only on the index and the
/// prefix, never on the seed, so two runs with the same <c>--pages</c> and <c>--page-prefix</c> share page names.
/// </summary>
public sealed class PageCatalog
{
    private static readonly string[] Landing = ["/", "/pricing", "/docs", "/blog", "/login", "/signup", "/about", "/contact"];

    private static readonly string[] Sections = ["docs", "blog", "products", "help", "changelog", "community", "careers", "news"];

    private static readonly string[] Slugs =
    [
        "getting-started", "install", "quickstart", "api", "faq", "pricing-plans", "release-notes", "tutorial",
        "best-practices", "troubleshooting", "migration", "security", "integrations", "overview", "examples",
    ];

    private readonly string[] _names;
    private readonly string[] _urls;
    private readonly Dictionary<string, int> _indexByName;

    /// <summary>Creates the catalog of <paramref name="count"/> pages, each path prefixed by <paramref name="prefix"/>.</summary>
    public PageCatalog(int count, string prefix)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(prefix);
        Prefix = prefix;
        _names = new string[count];
        _urls = new string[count];
        _indexByName = new Dictionary<string, int>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            _names[i] = prefix + PathFor(i);
            _urls[i] = "https://www.example.com" + _names[i];
            _indexByName[_names[i]] = i;
        }
    }

    /// <summary>The prefix every page name starts with.</summary>
    public string Prefix { get; }

    /// <summary>The number of pages.</summary>
    public int Count => _names.Length;

    /// <summary>The page name (prefix + path) at popularity rank <paramref name="index"/> (0-based).</summary>
    public string this[int index] => _names[index];

    /// <summary>The full URL of the page at <paramref name="index"/>, used as the referrer of the next page view.</summary>
    public string UrlOf(int index) => _urls[index];

    /// <summary>The index of the page named <paramref name="name"/> (prefix included), or -1.</summary>
    public int IndexOf(string name) => _indexByName.GetValueOrDefault(name, -1);

    /// <summary>The path (without prefix) of the page at <paramref name="index"/>.</summary>
    public static string PathFor(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (index < Landing.Length)
        {
            return Landing[index];
        }

        var n = index - Landing.Length;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"/{Sections[n % Sections.Length]}/{Slugs[n / Sections.Length % Slugs.Length]}-{index}");
    }
}
