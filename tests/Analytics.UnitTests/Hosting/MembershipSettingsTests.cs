using Analytics.Grains;
using Analytics.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;

namespace Analytics.UnitTests.Hosting;

/// <summary>
/// Failure detection against the allowed lateness: the silo's membership defaults, how configuration overrides
/// them, their validation, and the start-up warning when a dead silo could stay undetected for the whole lateness.
/// </summary>
public sealed class MembershipSettingsTests
{
    private static ClusterMembershipOptions Resolve(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("Silo:Membership:" + s.Key, s.Value)))
            .Build();
        var section = configuration.GetSection("Silo:Membership");
        // The same registrations as AnalyticsSiloBuilderExtensions: defaults first, the section on top.
        var services = new ServiceCollection();
        services.Configure<ClusterMembershipOptions>(o => MembershipDefaults.Apply(o, section));
        services.Configure<ClusterMembershipOptions>(section);
        services.AddSingleton<IValidateOptions<ClusterMembershipOptions>, ClusterMembershipOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ClusterMembershipOptions>>().Value;
    }

    [Fact]
    public void Defaults_DetectADeadSilo_WellWithinTheDefaultAllowedLateness()
    {
        var o = Resolve();

        Assert.Equal((TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), 2, 2), (o.ProbeTimeout, o.MaxProbeTimeout, o.NumMissedProbesLimit, o.NumVotesForDeathDeclaration));
        Assert.Equal((TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), (o.TableRefreshTimeout, o.IAmAliveTablePublishTimeout));
        Assert.Equal(TimeSpan.FromSeconds(6), MembershipLatenessCheck.WorstCaseDetection(o));
        Assert.True(MembershipLatenessCheck.DetectsWithinLateness(o, new PipelineOptions()));
    }

    [Fact]
    public void OrleansOwnDefaults_CanTakeLongerThanTheDefaultAllowedLateness()
    {
        var orleans = new ClusterMembershipOptions();

        Assert.False(MembershipLatenessCheck.DetectsWithinLateness(orleans, new PipelineOptions()));
    }

    [Fact]
    public void ConfiguredProbeTimeout_KeepsOrleansBoundOfTheAdaptiveTimeout()
    {
        var o = Resolve(("ProbeTimeout", "00:00:05"), ("NumMissedProbesLimit", "3"));

        Assert.Equal(TimeSpan.FromSeconds(5), o.ProbeTimeout);
        Assert.True(o.MaxProbeTimeout >= o.ProbeTimeout);
        Assert.True(new ClusterMembershipOptionsValidator().Validate(null, o).Succeeded);
        Assert.Equal(3, o.NumMissedProbesLimit);
    }

    public static TheoryData<string, string, string> InvalidSettings => new()
    {
        { "ProbeTimeout", "00:00:00", "Silo:Membership:ProbeTimeout" },
        { "MaxProbeTimeout", "00:00:01", "Silo:Membership:MaxProbeTimeout" },
        { "NumMissedProbesLimit", "0", "Silo:Membership:NumMissedProbesLimit" },
        { "NumVotesForDeathDeclaration", "0", "Silo:Membership:NumVotesForDeathDeclaration" },
        { "TableRefreshTimeout", "00:00:00", "Silo:Membership:TableRefreshTimeout" },
        { "IAmAliveTablePublishTimeout", "00:00:00", "Silo:Membership:IAmAliveTablePublishTimeout" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void InvalidSetting_FailsWithAMessageNamingIt(string key, string value, string name)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Resolve((key, value)));

        Assert.Contains(failure.Failures, f => f.StartsWith(name + " must", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartUp_WarnsNamingTheSettings_WhenDetectionIsNotShorterThanTheLateness()
    {
        var logger = new CapturingLogger<MembershipLatenessCheck>();
        var membership = Resolve();
        var check = new MembershipLatenessCheck(
            Options.Create(membership), Options.Create(new PipelineOptions { AllowedLateness = TimeSpan.FromSeconds(6) }), logger);

        await check.StartAsync(CancellationToken.None);

        var (level, message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("Silo:Membership:MaxProbeTimeout", message, StringComparison.Ordinal);
        Assert.Contains("Silo:Membership:NumMissedProbesLimit", message, StringComparison.Ordinal);
        Assert.Contains("Pipeline:AllowedLateness", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartUp_IsQuiet_WithTheDefaults()
    {
        var logger = new CapturingLogger<MembershipLatenessCheck>();
        var check = new MembershipLatenessCheck(Options.Create(Resolve()), Options.Create(new PipelineOptions()), logger);

        await check.StartAsync(CancellationToken.None);

        Assert.Empty(logger.Entries);
    }

    private sealed class CapturingLogger<T> : ILogger<T>
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }
}
