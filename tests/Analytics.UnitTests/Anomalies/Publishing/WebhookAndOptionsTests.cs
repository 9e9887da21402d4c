using System.Collections.Concurrent;
using System.Net;
using Analytics.Grains.Anomalies;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Analytics.UnitTests.Anomalies.Publishing.PublishingTestKit;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class WebhookAndOptionsTests
{
    [Fact]
    public async Task AWebhookThatFailsTwice_IsRetriedWithBackoff_AndDeliveredOnce()
    {
        var handler = new ScriptedHandler(HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.Accepted);
        using var target = Webhooks(handler, "https://alerts.example/hook/secret-token");

        var done = await target.DeliverAsync([Delivery()], CancellationToken.None);

        Assert.Equal([true], done);
        Assert.Equal(3, handler.Requests.Count);
        var request = handler.Requests.First();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal($"started:{Started().IncidentId}", request.IdempotencyKey);
        Assert.Equal("Bearer t", request.Authorization);
        Assert.Contains("\"kind\":\"started\"", request.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWebhookAnsweringAClientError_IsNotRetried_AndIsGivenUp()
    {
        var handler = new ScriptedHandler(HttpStatusCode.BadRequest);
        using var target = Webhooks(handler, "https://alerts.example/hook");

        var done = await target.DeliverAsync([Delivery()], CancellationToken.None);

        Assert.Equal([true], done); // given up is final: it is not retried later either
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task AWebhookThatNeverAnswers_TimesOutPerRequest_AndIsGivenUpAfterTheLastAttempt()
    {
        var handler = new ScriptedHandler { Hang = true };
        using var target = Webhooks(handler, "https://alerts.example/hook", o => o.MaxAttempts = 3);

        var done = await target.DeliverAsync([Delivery()], CancellationToken.None);

        Assert.Equal([true], done);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task AWebhookDeliveryStoppedByShutdown_IsLeftUndone()
    {
        var handler = new ScriptedHandler { Hang = true };
        using var target = Webhooks(handler, "https://alerts.example/hook", o => o.RequestTimeout = TimeSpan.FromMinutes(1));
        using var shutdown = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var done = await target.DeliverAsync([Delivery()], shutdown.Token);

        Assert.Equal([false], done);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, true)]
    [InlineData(HttpStatusCode.TooManyRequests, true)]
    [InlineData(HttpStatusCode.RequestTimeout, true)]
    [InlineData(HttpStatusCode.NotFound, false)]
    [InlineData(HttpStatusCode.Unauthorized, false)]
    public void OnlyTransientAnswers_AreRetried(HttpStatusCode status, bool retried) =>
        Assert.Equal(retried, WebhookAnomalyTarget.IsRetryable(status));

    [Fact]
    public void WebhookSettings_AreValidatedWithMessagesNamingThem_WithoutEchoingSecrets()
    {
        var options = new AnomalyWebhookOptions
        {
            Urls = ["https://ok.example/hook", "ftp://token-123@files.example/x"],
            MaxAttempts = 0,
            MaxBackoff = TimeSpan.FromMilliseconds(1),
        };

        var result = new AnomalyWebhookOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Anomalies:Webhooks:Urls:1 must be an absolute http or https URL.", result.Failures!);
        Assert.Contains(result.Failures!, f => f.StartsWith("Anomalies:Webhooks:MaxAttempts ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Anomalies:Webhooks:MaxBackoff ", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Failures!, f => f.Contains("token-123", StringComparison.Ordinal));
        Assert.Equal("https://ok.example/...", AnomalyWebhookOptions.Redact("https://ok.example/hook?key=secret"));
    }

    [Fact]
    public void PublishingAndKafkaSettings_AreValidatedWithMessagesNamingThem()
    {
        var publishing = new AnomalyPublishingOptionsValidator().Validate(null, new AnomalyPublishingOptions { BatchSize = 0, SweepInterval = TimeSpan.Zero });
        var kafka = new AnomalyKafkaOptionsValidator().Validate(null, new AnomalyKafkaOptions { Topic = "bad topic!", BootstrapServers = "" });

        Assert.Contains(publishing.Failures!, f => f.StartsWith("Anomalies:Publishing:BatchSize ", StringComparison.Ordinal));
        Assert.Contains(publishing.Failures!, f => f.StartsWith("Anomalies:Publishing:SweepInterval ", StringComparison.Ordinal));
        Assert.Contains(kafka.Failures!, f => f.StartsWith("Anomalies:Kafka:Topic ", StringComparison.Ordinal));
        Assert.Contains(kafka.Failures!, f => f.StartsWith("Anomalies:Kafka:BootstrapServers ", StringComparison.Ordinal));
        Assert.True(new AnomalyPublishingOptionsValidator().Validate(null, new AnomalyPublishingOptions()).Succeeded);
        Assert.True(new AnomalyKafkaOptionsValidator().Validate(null, new AnomalyKafkaOptions { BootstrapServers = "127.0.0.1:9092" }).Succeeded);
        Assert.True(new AnomalyWebhookOptionsValidator().Validate(null, new AnomalyWebhookOptions()).Succeeded);
    }

    [Fact]
    public void TheAnomalyProducer_IsIdempotentWithAcksAll_EvenWhenExtraPropertiesSayOtherwise()
    {
        var config = KafkaAnomalyTarget.BuildConfig(new AnomalyKafkaOptions
        {
            BootstrapServers = "127.0.0.1:9092",
            ProducerProperties = new() { ["acks"] = "1", ["enable.idempotence"] = "false", ["linger.ms"] = "50" },
        });

        Assert.Equal(Confluent.Kafka.Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(50, config.LingerMs);
        Assert.Equal(30_000, config.MessageTimeoutMs);
    }

    private static AnomalyDelivery Delivery() =>
        new() { Notification = Notification(Started()), Targets = AnomalyTargets.All, Attempt = 1 };

    private static WebhookAnomalyTarget Webhooks(ScriptedHandler handler, string url, Action<AnomalyWebhookOptions>? configure = null)
    {
        var options = new AnomalyWebhookOptions
        {
            Urls = [url],
            Headers = { ["Authorization"] = "Bearer t" },
            RequestTimeout = TimeSpan.FromMilliseconds(100),
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(40),
        };
        configure?.Invoke(options);
        return new WebhookAnomalyTarget(new SingleClientFactory(handler), Microsoft.Extensions.Options.Options.Create(options),
            Metrics(), TimeProvider.System, NullLogger<WebhookAnomalyTarget>.Instance);
    }

    private sealed record SeenRequest(HttpMethod Method, string? ContentType, string? IdempotencyKey, string? Authorization, string Body);

    /// <summary>Answers with the scripted statuses in turn (the last one repeats), or never.</summary>
    private sealed class ScriptedHandler(params HttpStatusCode[] statuses) : HttpMessageHandler
    {
        private int _next;

        public bool Hang { get; init; }

        public ConcurrentQueue<SeenRequest> Requests { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(new SeenRequest(
                request.Method,
                request.Content?.Headers.ContentType?.MediaType,
                request.Headers.TryGetValues("Idempotency-Key", out var key) ? key.Single() : null,
                request.Headers.TryGetValues("Authorization", out var auth) ? auth.Single() : null,
                request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken)));
            if (Hang)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }

            var status = statuses[Math.Min(Interlocked.Increment(ref _next) - 1, statuses.Length - 1)];
            return new HttpResponseMessage(status);
        }
    }

    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
