using Analytics.Grains.Persistence;
using Xunit;

namespace Analytics.UnitTests.Windows;

/// <summary>
/// The page grain's group commit of its window state: at most one write in flight, callers during a write share
/// the next one, failures reach exactly the callers of the failed write. Every test runs on a single-threaded
/// context whose queued continuations the test drains, like a grain's turns: deterministic, no waiting.
/// </summary>
public sealed class CoalescingWriterTests : IDisposable
{
    private readonly SynchronizationContext? _previous = SynchronizationContext.Current;
    private readonly TurnContext _turns = new();
    private readonly ManualStorage _storage;
    private readonly CoalescingWriter _writer;

    public CoalescingWriterTests()
    {
        SynchronizationContext.SetSynchronizationContext(_turns);
        _storage = new ManualStorage(_turns);
        _writer = new CoalescingWriter(_storage.Write);
    }

    public void Dispose() => SynchronizationContext.SetSynchronizationContext(_previous);

    /// <summary>A single-threaded context: posted continuations run when the test drains them, on the test's thread.</summary>
    private sealed class TurnContext : SynchronizationContext
    {
        private readonly Queue<(SendOrPostCallback Callback, object? State)> _queue = new();

        public override void Post(SendOrPostCallback d, object? state) => _queue.Enqueue((d, state));

        public override void Send(SendOrPostCallback d, object? state) => d(state);

        public void RunAll()
        {
            while (_queue.TryDequeue(out var turn)) turn.Callback(turn.State);
        }
    }

    /// <summary>A storage whose writes complete only when the test says so.</summary>
    private sealed class ManualStorage(TurnContext turns)
    {
        private readonly List<TaskCompletionSource> _writes = [];

        public int Started => _writes.Count;

        public int MaxInFlight { get; private set; }

        public Task Write()
        {
            var write = new TaskCompletionSource();
            _writes.Add(write);
            MaxInFlight = Math.Max(MaxInFlight, _writes.Count(w => !w.Task.IsCompleted));
            return write.Task;
        }

        public void Complete(int index)
        {
            _writes[index].SetResult();
            turns.RunAll();
        }

        public void Fail(int index, string message)
        {
            _writes[index].SetException(new InvalidOperationException(message));
            turns.RunAll();
        }
    }

    private static string FailureOf(Task task)
    {
        Assert.True(task.IsFaulted, $"expected a faulted task, was {task.Status}");
        return Assert.IsType<InvalidOperationException>(task.Exception!.InnerException).Message;
    }

    [Fact]
    public void FirstCall_StartsAWriteAtOnce_AndCompletesWithIt()
    {
        var call = _writer.WriteAsync();

        Assert.Equal(1, _storage.Started);
        Assert.False(call.IsCompleted);
        _storage.Complete(0);
        Assert.True(call.IsCompletedSuccessfully);
    }

    [Fact]
    public void CallsDuringAWrite_ShareTheNextWrite_WhichStartsOnlyAfterTheFirstCompletes()
    {
        var first = _writer.WriteAsync();

        var second = _writer.WriteAsync();
        var third = _writer.WriteAsync();

        Assert.Same(second, third);
        Assert.Equal(1, _storage.Started);
        _storage.Complete(0);
        Assert.True(first.IsCompletedSuccessfully);
        Assert.Equal(2, _storage.Started);
        Assert.False(second.IsCompleted);
        _storage.Complete(1);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.Equal(2, _storage.Started);
        Assert.Equal(1, _storage.MaxInFlight);
    }

    [Fact]
    public void CallDuringTheSharedWrite_GetsAThirdWrite()
    {
        _ = _writer.WriteAsync();
        var second = _writer.WriteAsync();
        _storage.Complete(0);

        var third = _writer.WriteAsync();

        Assert.NotSame(second, third);
        Assert.Equal(2, _storage.Started);
        _storage.Complete(1);
        Assert.True(second.IsCompletedSuccessfully);
        Assert.False(third.IsCompleted);
        Assert.Equal(3, _storage.Started);
        _storage.Complete(2);
        Assert.True(third.IsCompletedSuccessfully);
        Assert.Equal(1, _storage.MaxInFlight);
    }

    [Fact]
    public void CallAfterAWriteCompleted_StartsANewWrite()
    {
        _ = _writer.WriteAsync();
        _storage.Complete(0);

        var next = _writer.WriteAsync();

        Assert.Equal(2, _storage.Started);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public void ManyCallsOverManyWrites_NeverHaveTwoWritesInFlight()
    {
        var calls = new List<Task>();
        for (var round = 0; round < 50; round++)
        {
            calls.Add(_writer.WriteAsync());
            calls.Add(_writer.WriteAsync());
            calls.Add(_writer.WriteAsync());
            _storage.Complete(_storage.Started - 1);
        }
        while (calls.Any(c => !c.IsCompleted)) _storage.Complete(_storage.Started - 1);

        Assert.Equal(1, _storage.MaxInFlight);
        Assert.All(calls, c => Assert.True(c.IsCompletedSuccessfully));
        Assert.Equal(51, _storage.Started);
    }

    [Fact]
    public void FailedWrite_PropagatesToItsCaller_AndTheNextCallWritesAgain()
    {
        var first = _writer.WriteAsync();
        _storage.Fail(0, "disk full");

        var retry = _writer.WriteAsync();

        Assert.Equal("disk full", FailureOf(first));
        Assert.Equal(2, _storage.Started);
        _storage.Complete(1);
        Assert.True(retry.IsCompletedSuccessfully);
    }

    [Fact]
    public void FailedWrite_DoesNotFailCallersWaitingForTheNextWrite_WhichStillRuns()
    {
        var first = _writer.WriteAsync();
        var second = _writer.WriteAsync();

        _storage.Fail(0, "timeout");

        Assert.Equal("timeout", FailureOf(first));
        Assert.Equal(2, _storage.Started);
        Assert.False(second.IsCompleted);
        _storage.Complete(1);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void FailedSharedWrite_PropagatesToEveryCallerThatSharedIt_AndTheNextCallWritesAgain()
    {
        _ = _writer.WriteAsync();
        var second = _writer.WriteAsync();
        var third = _writer.WriteAsync();
        _storage.Complete(0);

        _storage.Fail(1, "etag mismatch");

        Assert.Equal("etag mismatch", FailureOf(second));
        Assert.Equal("etag mismatch", FailureOf(third));
        var fourth = _writer.WriteAsync();
        Assert.Equal(3, _storage.Started);
        _storage.Complete(2);
        Assert.True(fourth.IsCompletedSuccessfully);
    }

    [Fact]
    public void IdleAsync_IsCompleted_WhenNothingWasWritten()
    {
        Assert.True(_writer.IdleAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public void IdleAsync_WaitsForTheQueuedWrite_NotJustTheOneInFlight()
    {
        _ = _writer.WriteAsync();
        _ = _writer.WriteAsync();

        var idle = _writer.IdleAsync();
        _storage.Complete(0);

        Assert.False(idle.IsCompleted);
        _storage.Complete(1);
        Assert.True(idle.IsCompletedSuccessfully);
    }
}
