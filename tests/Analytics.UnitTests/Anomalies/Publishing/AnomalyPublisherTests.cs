using Analytics.Grains.Anomalies;
using Xunit;
using static Analytics.UnitTests.Anomalies.Publishing.PublishingTestKit;

namespace Analytics.UnitTests.Anomalies.Publishing;

public sealed class AnomalyPublisherTests
{
    [Fact]
    public async Task AnIncidentDetectedTwice_IsDeliveredOnceToEveryTarget_StartAndEnd()
    {
        var options = Options();
        var outbox = new FakeOutbox(options);
        var targets = AllTargets();
        using var publisher = Publisher(outbox, options, targets);
        await publisher.StartAsync(CancellationToken.None);
        var started = Started();

        publisher.Publish(started);
        publisher.Publish(started); // re-detected in the same batch
        await WaitUntilAsync(() => targets.All(t => t.Delivered.Count == 1) && outbox.PendingCount == 0, "the start on every target");
        publisher.Publish(started); // re-detected after it was published (a replay)
        publisher.Publish(Ended(started));
        await WaitUntilAsync(() => targets.All(t => t.Delivered.Count == 2) && outbox.PendingCount == 0, "the end on every target");
        await publisher.StopAsync(CancellationToken.None);

        foreach (var target in targets)
        {
            Assert.Equal([$"started:{started.IncidentId}", $"ended:{started.IncidentId}"], target.DeliveredKeys());
        }

        Assert.Equal(2, outbox.Ledger.Recent(10).Length);
    }

    [Fact]
    public async Task AFailedTarget_IsRetriedUntilItSucceeds_WithoutRepeatingTheOthers()
    {
        var options = Options();
        var outbox = new FakeOutbox(options);
        var targets = AllTargets();
        var kafka = targets[1];
        kafka.Fails = d => d.Attempt < 3;
        using var publisher = Publisher(outbox, options, targets);
        await publisher.StartAsync(CancellationToken.None);

        publisher.Publish(Started());
        await WaitUntilAsync(() => outbox.PendingCount == 0 && kafka.Delivered.Count == 1, "Kafka to succeed on the third attempt");
        await publisher.StopAsync(CancellationToken.None);

        Assert.Equal([1, 2, 3], kafka.Attempts.Select(a => a.Attempt));
        Assert.All(targets.Where(t => t != kafka), t => Assert.Single(t.Attempts));
    }

    [Fact]
    public async Task ARestartedPublisher_DoesNotRepublishWhatWasPublished()
    {
        var options = Options();
        var outbox = new FakeOutbox(options); // the feed grain outlives publishers
        var first = AllTargets();
        using (var publisher = Publisher(outbox, options, first))
        {
            await publisher.StartAsync(CancellationToken.None);
            publisher.Publish(Started());
            await WaitUntilAsync(() => outbox.PendingCount == 0 && first.All(t => t.Delivered.Count == 1), "the first publisher's delivery");
            await publisher.StopAsync(CancellationToken.None);
        }

        var second = AllTargets();
        using (var publisher = Publisher(outbox, options, second))
        {
            await publisher.StartAsync(CancellationToken.None);
            publisher.Publish(Started()); // the page grain replayed its events after a crash
            var claims = outbox.Claims;
            await WaitUntilAsync(() => outbox.Claims > claims + 1, "the second publisher to claim");
            await publisher.StopAsync(CancellationToken.None);
        }

        Assert.All(second, t => Assert.Empty(t.Attempts));
    }

    [Fact]
    public async Task WhenTheFeedGrainIsUnreachable_TheBatchIsKeptAndClaimedLater()
    {
        var options = Options();
        var outbox = new FakeOutbox(options) { FailClaims = 3 };
        var targets = AllTargets();
        using var publisher = Publisher(outbox, options, targets);
        await publisher.StartAsync(CancellationToken.None);

        publisher.Publish(Started());
        await WaitUntilAsync(() => targets.All(t => t.Delivered.Count == 1), "the delivery after the outbox came back");
        await publisher.StopAsync(CancellationToken.None);

        Assert.Equal(0, outbox.FailClaims);
    }

    [Fact]
    public async Task ADisabledTarget_CountsAsDelivered_AndIsNeverCalled()
    {
        var options = Options();
        var outbox = new FakeOutbox(options);
        var webhooks = new RecordingTarget(AnomalyTargets.Webhooks, enabled: false); // no URLs configured
        var others = new[] { new RecordingTarget(AnomalyTargets.ClickHouse), new RecordingTarget(AnomalyTargets.Kafka), new RecordingTarget(AnomalyTargets.Stream) };
        using var publisher = Publisher(outbox, options, [.. others, webhooks]);
        await publisher.StartAsync(CancellationToken.None);

        publisher.Publish(Started());
        await WaitUntilAsync(() => others.All(t => t.Delivered.Count == 1) && outbox.PendingCount == 0, "the enabled targets");
        await publisher.StopAsync(CancellationToken.None);

        Assert.Empty(webhooks.Attempts);
    }

    [Fact]
    public async Task ASlowWebhook_DoesNotHoldUpTheOtherTargets_OfTheNextIncident()
    {
        var options = Options();
        var outbox = new FakeOutbox(options);
        var targets = AllTargets();
        var webhooks = targets[3];
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        webhooks.Before = () => release.Task;
        using var publisher = Publisher(outbox, options, targets);
        await publisher.StartAsync(CancellationToken.None);

        for (var i = 0; i < AnomalyPublisher.MaxConcurrentBatches + 2; i++)
        {
            publisher.Publish(Started(page: $"/p{i}"));
            await WaitUntilAsync(() => targets[0].Delivered.Count == i + 1, $"incident {i} in ClickHouse while webhooks hang");
        }

        Assert.Empty(webhooks.Delivered);
        release.SetResult();
        await WaitUntilAsync(() => outbox.PendingCount == 0, "the webhooks to finish");
        await publisher.StopAsync(CancellationToken.None);
        Assert.Equal(AnomalyPublisher.MaxConcurrentBatches + 2, webhooks.Delivered.Count);
    }

    [Fact]
    public async Task WhenTheQueueIsFull_NewAnomaliesAreDropped_AndDetectorsNeverWait()
    {
        var options = Options(o => o.QueueCapacity = 100);
        var outbox = new FakeOutbox(options);
        var clickHouse = new RecordingTarget(AnomalyTargets.ClickHouse);
        using var publisher = Publisher(outbox, options, clickHouse, new RecordingTarget(AnomalyTargets.Kafka),
            new RecordingTarget(AnomalyTargets.Stream), new RecordingTarget(AnomalyTargets.Webhooks));

        for (var i = 0; i < 150; i++)
        {
            publisher.Publish(Started(page: $"/p{i}")); // not started yet: nothing drains the queue
        }

        await publisher.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => clickHouse.Delivered.Count == 100 && outbox.PendingCount == 0, "the queued hundred");
        await publisher.StopAsync(CancellationToken.None);
        Assert.Equal(100, clickHouse.Delivered.Count);
    }

    private static RecordingTarget[] AllTargets() =>
    [
        new(AnomalyTargets.ClickHouse),
        new(AnomalyTargets.Kafka),
        new(AnomalyTargets.Stream),
        new(AnomalyTargets.Webhooks),
    ];
}
