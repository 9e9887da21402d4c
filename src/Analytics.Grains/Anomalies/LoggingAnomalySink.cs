using Microsoft.Extensions.Logging;

namespace Analytics.Grains.Anomalies;

/// <summary>Writes every anomaly start and end to the structured log (always registered).</summary>
public sealed partial class LoggingAnomalySink(ILogger<LoggingAnomalySink> logger) : IAnomalySink
{
    /// <inheritdoc />
    public void Publish(AnomalyEvent anomaly)
    {
        switch (anomaly)
        {
            case AnomalyStarted s:
                LogStarted(s.IncidentId, s.Scope, s.Page, s.Direction, s.ObservedRate, s.BaselineMean, s.ZScore);
                break;
            case AnomalyEnded e:
                LogEnded(e.IncidentId, e.Scope, e.Page, e.Direction, e.EndedAt);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anomaly {IncidentId} started: {Scope} {Page} {Direction}, {ObservedRate:F1}/s vs baseline {BaselineMean:F1}/s (z = {ZScore:F1}).")]
    private partial void LogStarted(string incidentId, AnomalyScope scope, string page, AnomalyDirection direction, double observedRate, double baselineMean, double zScore);

    [LoggerMessage(Level = LogLevel.Information, Message = "Anomaly {IncidentId} ended: {Scope} {Page} {Direction} at {EndedAt:O}.")]
    private partial void LogEnded(string incidentId, AnomalyScope scope, string page, AnomalyDirection direction, DateTime endedAt);
}
