using Analytics.Grains.Anomalies;
using Xunit;

namespace Analytics.UnitTests.Anomalies;

public sealed class AnomalyOptionsValidatorTests
{
    private readonly AnomalyOptionsValidator _validator = new();

    [Fact]
    public void TheDefaults_AreValidAndAsDocumented()
    {
        var options = new AnomalyOptions();

        Assert.True(_validator.Validate(null, options).Succeeded);
        Assert.Equal("Anomalies", AnomalyOptions.SectionName);
        Assert.True(options.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Window);
        Assert.Equal(3.0, options.Threshold);
        Assert.Equal(TimeSpan.FromMinutes(2), options.WarmUp);
        Assert.Equal(1.0, options.MinRate);
        Assert.Equal(0.5, options.MinStdDev);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Cooldown);
        Assert.Equal(TimeSpan.FromSeconds(4), options.EvaluationWindow);
        Assert.Equal(TimeSpan.FromSeconds(5), options.EndAfter);
        Assert.Equal(TimeSpan.FromSeconds(1), options.SettleDelay);
        Assert.Equal(TimeSpan.FromMinutes(5), options.RebaselineAfter);
    }

    public static TheoryData<Action<AnomalyOptions>, string> Invalid => new()
    {
        { o => o.Threshold = 0, "Anomalies:Threshold must be > 0 (was 0)." },
        { o => o.Threshold = double.NaN, "Anomalies:Threshold must be > 0 (was NaN)." },
        { o => o.Window = TimeSpan.FromSeconds(5), "Anomalies:Window must be a whole number of seconds between 00:00:10 and 01:00:00 (was 00:00:05)." },
        { o => o.Window = TimeSpan.FromSeconds(90.5), "Anomalies:Window must be a whole number of seconds between 00:00:10 and 01:00:00 (was 00:01:30.5000000)." },
        { o => o.WarmUp = TimeSpan.FromMinutes(11), "Anomalies:WarmUp must be a whole number of seconds between 0 and Anomalies:Window (was 00:11:00)." },
        { o => o.MinRate = -1, "Anomalies:MinRate must be >= 0 (was -1)." },
        { o => o.MinStdDev = 0, "Anomalies:MinStdDev must be > 0 (was 0)." },
        { o => o.Cooldown = TimeSpan.FromSeconds(-1), "Anomalies:Cooldown must be a whole number of seconds >= 0 (was -00:00:01)." },
        { o => o.EvaluationWindow = TimeSpan.Zero, "Anomalies:EvaluationWindow must be a whole number of seconds between 00:00:01 and 00:01:00, and less than Anomalies:Window (was 00:00:00)." },
        { o => o.EndAfter = TimeSpan.FromMilliseconds(1500), "Anomalies:EndAfter must be a whole number of seconds between 00:00:01 and Anomalies:Window (was 00:00:01.5000000)." },
        { o => o.SettleDelay = TimeSpan.FromMinutes(1), "Anomalies:SettleDelay must be between 0 and 00:00:30 (was 00:01:00)." },
        { o => o.RebaselineAfter = TimeSpan.Zero, "Anomalies:RebaselineAfter must be a whole number of seconds >= 00:00:01 (was 00:00:00)." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void AnInvalidSetting_FailsWithAMessageThatNamesIt(Action<AnomalyOptions> change, string message)
    {
        var options = new AnomalyOptions();
        change(options);

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal([message], result.Failures);
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce()
    {
        var options = new AnomalyOptions { Threshold = -3, MinRate = double.PositiveInfinity, SettleDelay = TimeSpan.FromSeconds(-1) };

        var failures = _validator.Validate(null, options).Failures!.ToList();

        Assert.Equal(3, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Anomalies:Threshold", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Anomalies:MinRate", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Anomalies:SettleDelay", StringComparison.Ordinal));
    }

    [Fact]
    public void ADetector_RefusesInvalidOptions()
    {
        var exception = Assert.Throws<ArgumentException>(
            () => new AnomalyDetector(new AnomalyOptions { Threshold = 0 }, AnomalyScope.Site, page: null));

        Assert.Contains("Anomalies:Threshold must be > 0", exception.Message, StringComparison.Ordinal);
    }
}
