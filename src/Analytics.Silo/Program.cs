using Analytics.Silo.Hosting;
using Analytics.Silo.Http;

// The analytics silo: Kafka in, grains in the middle, ClickHouse out; health, metrics and stats over HTTP.
var builder = WebApplication.CreateBuilder(args);
builder.UseOrleans(silo => silo.AddAnalyticsSilo(builder.Configuration));
builder.Services.AddSiloTelemetry(builder.Configuration);
builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");

var app = builder.Build();
app.MapHealthChecks("/healthz");
app.MapPrometheusScrapingEndpoint("/metrics");
app.MapStatsEndpoints();
app.Run();
