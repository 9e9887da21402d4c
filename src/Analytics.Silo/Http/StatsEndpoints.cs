using Analytics.Grains.Diagnostics;
using Analytics.Grains.Watermarks;

namespace Analytics.Silo.Http;

/// <summary>
/// <c>GET /stats</c>: this silo's production-to-visibility latency percentiles and watermark, for benchmarks and
/// operators; <c>POST /stats/reset</c> starts a new latency measurement.
/// </summary>
public static class StatsEndpoints
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/stats", (LatencyRecorder latency, WatermarkView watermark) =>
        {
            var (count, p) = latency.Summarize(50, 90, 99, 99.9);
            return Results.Json(new
            {
                visibility_latency = new { count, p50_ms = p[0], p90_ms = p[1], p99_ms = p[2], p999_ms = p[3] },
                watermark = watermark.Current,
            });
        });
        app.MapPost("/stats/reset", (LatencyRecorder latency) =>
        {
            latency.Reset();
            return Results.NoContent();
        });
        return app;
    }
}
