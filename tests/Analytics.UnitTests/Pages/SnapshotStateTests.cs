using Analytics.Grains.Persistence;
using Analytics.Grains.Windows;
using Analytics.UnitTests.Windows;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit;

namespace Analytics.UnitTests.Pages;

/// <summary>
/// A page grain's state write persists the state as it was when the write started, however the reentrant grain changes
/// it while the storage provider is still serializing (which ADO.NET storage does off the grain's turn): applied
/// offsets and the counts they cover are always stored together.
/// </summary>
public sealed class SnapshotStateTests
{
    private static readonly DeepCopier<PageWindowState> Copier =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<DeepCopier<PageWindowState>>();

    [Fact]
    public async Task BatchAppliedWhileAWriteIsInProgress_IsNotPartOfThatWrite()
    {
        var storage = new SlowStorage(new PageWindowState());
        var state = new SnapshotState<PageWindowState>(storage, Copier);
        var windows = new PageWindows(WindowTestKit.Page, state.Live, new());
        windows.Apply([WindowTestKit.View(WindowTestKit.T0.AddSeconds(1), offset: 0, user: "a")], watermark: null, now: WindowTestKit.T0);

        var write = state.WriteAsync();
        // The next batch lands while the provider has not serialized yet.
        windows.Apply([WindowTestKit.View(WindowTestKit.T0.AddSeconds(2), offset: 1, user: "b")], watermark: null, now: WindowTestKit.T0);
        storage.Release();
        await write;

        var stored = Assert.Single(storage.Written);
        Assert.Equal(0, stored.AppliedOffsets[0]);
        var window = Assert.Single(stored.Open);
        Assert.Equal(1, window.Views);
        Assert.Equal([VisitorHash.Of("a")], window.Visitors);

        // The live state went on, and the next write takes it whole.
        Assert.Equal(1, state.Live.AppliedOffsets[0]);
        var second = state.WriteAsync();
        storage.Release();
        await second;
        Assert.Equal(1, storage.Written[1].AppliedOffsets[0]);
        Assert.Equal(2, storage.Written[1].Open[0].Views);
    }

    [Fact]
    public async Task Live_IsTheStateLoadedAtActivation_AndStaysTheSameObjectAcrossWrites()
    {
        var loaded = new PageWindowState();
        var storage = new SlowStorage(loaded);
        var state = new SnapshotState<PageWindowState>(storage, Copier);
        var write = state.WriteAsync();
        storage.Release();
        await write;
        Assert.Same(loaded, state.Live);
        Assert.NotSame(loaded, storage.State);
    }

    /// <summary>Serializes the state only when released (like a provider that awaits its connection first).</summary>
    private sealed class SlowStorage(PageWindowState loaded) : IPersistentState<PageWindowState>
    {
        private TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public PageWindowState State { get; set; } = loaded;

        public List<PageWindowState> Written { get; } = [];

        public string? Etag => null;

        public bool RecordExists => Written.Count > 0;

        public void Release()
        {
            var current = release;
            release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            current.SetResult();
        }

        public async Task WriteStateAsync()
        {
            var gate = release;
            await gate.Task;
            // What a serializer would see now: a deep copy of whatever State points to at this moment.
            Written.Add(Copier.Copy(State));
        }

        public Task ClearStateAsync() => Task.CompletedTask;

        public Task ReadStateAsync() => Task.CompletedTask;
    }
}
