namespace Analytics.Grains.Anomalies;

/// <summary>
/// Settings of the per-page and site-wide traffic anomaly detection, bound from the <c>Anomalies</c>
/// configuration section. Every setting can also be given as an environment variable, e.g.
/// <c>Anomalies__WarmUp=00:02:00</c>. <see cref="AnomalyOptionsValidator"/> checks them at start-up.
/// </summary>
/// <remarks>
/// Durations marked "whole seconds" are counted in completed one-second buckets, so fractions would be
/// meaningless and are rejected rather than silently rounded.
/// </remarks>
public sealed class AnomalyOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Anomalies";

    /// <summary>Whether anomaly detection runs at all. Defaults to <see langword="true"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How much history the baseline (rolling mean and standard deviation of per-second counts) covers, in whole
    /// seconds, between 10 seconds and 1 hour. Grain state holds one count per second of it.
    /// Defaults to 10 minutes (<c>00:10:00</c>).
    /// </summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How many baseline standard deviations the current rate must move away from the baseline mean to count as
    /// anomalous, in either direction. Defaults to 3.
    /// </summary>
    public double Threshold { get; set; } = 3.0;

    /// <summary>
    /// How much baseline (whole seconds of traffic outside incidents) must exist before anything is raised.
    /// At most <see cref="Window"/>. Defaults to 2 minutes (<c>00:02:00</c>).
    /// </summary>
    public TimeSpan WarmUp { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The minimum volume, in events per second, for an alert: the baseline mean or the current rate must reach
    /// it, so that pages with a trickle of traffic never alert. Defaults to 1.
    /// </summary>
    public double MinRate { get; set; } = 1.0;

    /// <summary>
    /// The smallest standard deviation, in events per second, a z-score is divided by; it only matters for
    /// near-empty scopes and keeps the division finite. Must be greater than 0. Defaults to 0.5.
    /// </summary>
    public double MinStdDev { get; set; } = 0.5;

    /// <summary>
    /// After an incident ends, how long (whole seconds) before a new incident in the same direction may start.
    /// Defaults to 1 minute (<c>00:01:00</c>).
    /// </summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How many of the latest completed seconds (whole seconds) make up the "current rate"; these seconds are
    /// kept out of the baseline they are compared with. Averaging K seconds shrinks the noise of the current rate
    /// by √K, so the threshold is effectively Threshold·√K standard errors: with 4 s that is 6, about one false
    /// alarm per 16 years of steady Poisson traffic per page (3 s gives 5.2, one per two months), while strong
    /// spikes still cross it in their first second. Less than <see cref="Window"/> and at most 1 minute.
    /// Defaults to 4 seconds (<c>00:00:04</c>).
    /// </summary>
    public TimeSpan EvaluationWindow { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long (whole seconds) the current rate must stay back within the threshold before an open incident
    /// ends. Defaults to 5 seconds (<c>00:00:05</c>).
    /// </summary>
    public TimeSpan EndAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long after a second has ended (on the clock given to the detector) its count is still left open for
    /// events arriving out of order, before the second is evaluated. Events later than that are left out of
    /// detection (see <see cref="RecordOutcome.Late"/>). It adds directly to the detection latency: one second
    /// to complete, this delay, then the evaluation. Between 0 and 30 seconds.
    /// Defaults to 1 second (<c>00:00:01</c>).
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long (whole seconds) an open incident keeps its seconds out of the baseline. After that the baseline
    /// starts absorbing the new level, so a lasting change of traffic becomes the new normal and the incident
    /// ends by itself. Capped at <see cref="Window"/> minus <see cref="WarmUp"/> minus
    /// <see cref="EvaluationWindow"/>, because the excluded seconds shrink the baseline and it must not fall below
    /// the warm-up mid-incident. Defaults to 5 minutes (<c>00:05:00</c>).
    /// </summary>
    public TimeSpan RebaselineAfter { get; set; } = TimeSpan.FromMinutes(5);
}
