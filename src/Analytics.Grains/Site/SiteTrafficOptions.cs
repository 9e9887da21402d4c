using System.Globalization;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Site;

/// <summary>
/// Settings of the site-wide traffic aggregation (configuration section <c>Anomalies:Site</c>, also as
/// environment variables such as <c>Anomalies__Site__ReportInterval=00:00:00.500</c>). The site detector itself
/// uses the <c>Anomalies</c> settings, with the settle delay lengthened by <see cref="ReportInterval"/>.
/// </summary>
public sealed class SiteTrafficOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Anomalies:Site";

    /// <summary>
    /// Whether silos count and report site-wide traffic (and so whether site-wide anomalies are detected); off as
    /// well when <c>Anomalies:Enabled</c> is false. Defaults to <see langword="true"/>.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often each silo sends its partial per-second counts to the site traffic grain, between 100 ms and 5 s.
    /// It adds to the site detector's settle delay, hence to the detection latency. Defaults to 500 ms.
    /// </summary>
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// How many of the latest complete seconds the "events per second now" figure averages, in whole seconds
    /// between 1 and 60. Defaults to 5 seconds (<c>00:00:05</c>).
    /// </summary>
    public TimeSpan RateWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the site grain evaluates complete seconds without waiting for a report: half the report interval.</summary>
    internal TimeSpan TickInterval => ReportInterval / 2;

    /// <summary><see cref="RateWindow"/> in seconds.</summary>
    internal int RateWindowSeconds => (int)RateWindow.TotalSeconds;
}

/// <summary>Fails start-up with a message naming the offending <c>Anomalies:Site</c> setting.</summary>
public sealed class SiteTrafficOptionsValidator : IValidateOptions<SiteTrafficOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SiteTrafficOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.ReportInterval < TimeSpan.FromMilliseconds(100) || options.ReportInterval > TimeSpan.FromSeconds(5))
        {
            failures.Add($"{SiteTrafficOptions.SectionName}:ReportInterval must be between 00:00:00.100 and 00:00:05 (was {Show(options.ReportInterval)}).");
        }

        if (options.RateWindow.Ticks % TimeSpan.TicksPerSecond != 0 || options.RateWindow < TimeSpan.FromSeconds(1) || options.RateWindow > TimeSpan.FromSeconds(SiteTrafficAggregator.SeriesSeconds))
        {
            failures.Add($"{SiteTrafficOptions.SectionName}:RateWindow must be a whole number of seconds between 00:00:01 and 00:01:00 (was {Show(options.RateWindow)}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
