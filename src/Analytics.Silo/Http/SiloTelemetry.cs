using Analytics.Grains.Diagnostics;
using Analytics.Persistence.Postgres;
using OpenTelemetry.Metrics;

namespace Analytics.Silo.Http;

/// <summary>OpenTelemetry metrics: our meters and Orleans', exposed for Prometheus and optionally over OTLP.</summary>
public static class SiloTelemetry
{
    /// <summary>Adds metrics; set <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> to also push them over OTLP.</summary>
    public static IServiceCollection AddSiloTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter(PipelineMetrics.MeterName, BatchedStorageMetrics.MeterName, "Analytics.Streaming.Kafka", "Microsoft.Orleans")
                .AddPrometheusExporter();
            if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) metrics.AddOtlpExporter();
        });
        return services;
    }
}
