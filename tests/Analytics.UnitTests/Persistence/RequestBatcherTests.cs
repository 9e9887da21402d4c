using Analytics.Persistence.Postgres;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>
/// The batched storage's request batching: requests queued together run as one batch, each caller gets its own
/// result, a failing batch fails exactly its callers, and stopping runs what is queued. Requests are queued
/// before the batch loop starts, so which requests share a batch does not depend on thread timing.
/// </summary>
public sealed class RequestBatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly int[] SameRowTwice = [1, 2, 11, 3];
    private readonly List<IReadOnlyList<int>> _batches = [];

    [Fact]
    public async Task Requests_queued_together_run_as_one_batch_and_each_caller_gets_its_own_result()
    {
        var batcher = Batcher(maxSize: 10);
        var calls = Enumerable.Range(1, 5).Select(batcher.SubmitAsync).ToList();

        batcher.Start();
        var results = await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.Equal([10, 20, 30, 40, 50], results);
        Assert.Equal([[1, 2, 3, 4, 5]], Batches());
        await batcher.StopAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task The_size_limit_splits_the_queue_into_several_batches()
    {
        var batcher = Batcher(maxSize: 2);
        var calls = Enumerable.Range(1, 5).Select(batcher.SubmitAsync).ToList();

        batcher.Start();
        await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.Equal([[1, 2], [3, 4], [5]], Batches());
        await batcher.StopAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Two_requests_for_the_same_row_go_to_different_batches()
    {
        var batcher = Batcher(maxSize: 10, keyOf: r => r % 10);
        var calls = SameRowTwice.Select(batcher.SubmitAsync).ToList();

        batcher.Start();
        await Task.WhenAll(calls).WaitAsync(Deadline);

        Assert.Equal([[1, 2, 3], [11]], Batches());
        await batcher.StopAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task A_failing_batch_fails_exactly_its_own_callers()
    {
        var batcher = Batcher(maxSize: 2, failIf: batch => batch.Contains(3));
        var calls = Enumerable.Range(1, 5).Select(batcher.SubmitAsync).ToList();

        batcher.Start();
        await Task.WhenAll(calls).ContinueWith(_ => { }).WaitAsync(Deadline);

        Assert.Equal(10, await calls[0]);
        Assert.Equal(20, await calls[1]);
        await Assert.ThrowsAsync<TimeoutException>(() => calls[2]);
        await Assert.ThrowsAsync<TimeoutException>(() => calls[3]);
        Assert.Equal(50, await calls[4]);
        await batcher.StopAsync().WaitAsync(Deadline);
    }

    [Fact]
    public async Task Stopping_runs_what_is_queued_and_then_refuses_new_requests()
    {
        var batcher = Batcher(maxSize: 10);
        var queued = batcher.SubmitAsync(7);
        batcher.Start();

        await batcher.StopAsync().WaitAsync(Deadline);

        Assert.Equal(70, await queued);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await batcher.SubmitAsync(8));
    }

    private RequestBatcher<int, int> Batcher(int maxSize, Func<int, object>? keyOf = null, Func<IReadOnlyList<int>, bool>? failIf = null) =>
        new(batch =>
            {
                lock (_batches) _batches.Add(batch.ToList());
                if (failIf?.Invoke(batch) == true) throw new TimeoutException("the database did not answer");
                return Task.FromResult<IReadOnlyList<int>>(batch.Select(r => r * 10).ToList());
            },
            maxSize, maxDelay: TimeSpan.Zero, maxConcurrent: 1, TimeProvider.System, keyOf);

    private List<IReadOnlyList<int>> Batches()
    {
        lock (_batches) return _batches.ToList();
    }
}
