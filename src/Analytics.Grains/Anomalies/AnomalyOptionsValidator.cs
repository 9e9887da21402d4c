using System.Globalization;
using Microsoft.Extensions.Options;

namespace Analytics.Grains.Anomalies;

/// <summary>
/// Fails start-up with messages that name the offending setting, e.g. <c>Anomalies:Threshold must be &gt; 0</c>.
/// </summary>
public sealed class AnomalyOptionsValidator : IValidateOptions<AnomalyOptions>
{
    private static readonly TimeSpan MinWindow = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxWindow = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxEvaluationWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxSettleDelay = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AnomalyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Check(options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns every problem with <paramref name="options"/>; empty when they are valid.</summary>
    public static IReadOnlyList<string> Check(AnomalyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();

        // Settings bounded by Window are only compared with a valid one, so one mistake gives one message.
        var window = IsWholeSeconds(options.Window) && options.Window >= MinWindow && options.Window <= MaxWindow
            ? options.Window
            : TimeSpan.MaxValue;
        if (window == TimeSpan.MaxValue)
        {
            failures.Add(Fail(nameof(AnomalyOptions.Window), $"must be a whole number of seconds between {Show(MinWindow)} and {Show(MaxWindow)}", options.Window));
        }

        if (!double.IsFinite(options.Threshold) || options.Threshold <= 0)
        {
            failures.Add(Fail(nameof(AnomalyOptions.Threshold), "must be > 0", options.Threshold));
        }

        if (!IsWholeSeconds(options.WarmUp) || options.WarmUp < TimeSpan.Zero || options.WarmUp > window)
        {
            failures.Add(Fail(nameof(AnomalyOptions.WarmUp), "must be a whole number of seconds between 0 and Anomalies:Window", options.WarmUp));
        }

        if (!double.IsFinite(options.MinRate) || options.MinRate < 0)
        {
            failures.Add(Fail(nameof(AnomalyOptions.MinRate), "must be >= 0", options.MinRate));
        }

        if (!double.IsFinite(options.MinStdDev) || options.MinStdDev <= 0)
        {
            failures.Add(Fail(nameof(AnomalyOptions.MinStdDev), "must be > 0", options.MinStdDev));
        }

        if (!IsWholeSeconds(options.Cooldown) || options.Cooldown < TimeSpan.Zero)
        {
            failures.Add(Fail(nameof(AnomalyOptions.Cooldown), "must be a whole number of seconds >= 0", options.Cooldown));
        }

        if (!IsWholeSeconds(options.EvaluationWindow) || options.EvaluationWindow < TimeSpan.FromSeconds(1)
            || options.EvaluationWindow > MaxEvaluationWindow || options.EvaluationWindow >= window)
        {
            failures.Add(Fail(nameof(AnomalyOptions.EvaluationWindow), $"must be a whole number of seconds between 00:00:01 and {Show(MaxEvaluationWindow)}, and less than Anomalies:Window", options.EvaluationWindow));
        }

        if (!IsWholeSeconds(options.EndAfter) || options.EndAfter < TimeSpan.FromSeconds(1) || options.EndAfter > window)
        {
            failures.Add(Fail(nameof(AnomalyOptions.EndAfter), "must be a whole number of seconds between 00:00:01 and Anomalies:Window", options.EndAfter));
        }

        if (options.SettleDelay < TimeSpan.Zero || options.SettleDelay > MaxSettleDelay)
        {
            failures.Add(Fail(nameof(AnomalyOptions.SettleDelay), $"must be between 0 and {Show(MaxSettleDelay)}", options.SettleDelay));
        }

        if (!IsWholeSeconds(options.RebaselineAfter) || options.RebaselineAfter < TimeSpan.FromSeconds(1))
        {
            failures.Add(Fail(nameof(AnomalyOptions.RebaselineAfter), "must be a whole number of seconds >= 00:00:01", options.RebaselineAfter));
        }

        return failures;
    }

    private static bool IsWholeSeconds(TimeSpan value) => value.Ticks % TimeSpan.TicksPerSecond == 0;

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private static string Fail(string setting, string rule, TimeSpan actual) =>
        $"{AnomalyOptions.SectionName}:{setting} {rule} (was {Show(actual)}).";

    private static string Fail(string setting, string rule, double actual) =>
        $"{AnomalyOptions.SectionName}:{setting} {rule} (was {actual.ToString("R", CultureInfo.InvariantCulture)}).";
}
