using Analytics.Silo.Hosting;
using Xunit;

namespace Analytics.UnitTests.Hosting;

/// <summary>Memory mode's page and session storage: reads are empty, writes are not kept, nothing is called.</summary>
public sealed class VolatileGrainStorageTests
{
    private static readonly GrainId Grain = GrainId.Create("page", "/pricing");

    [Fact]
    public async Task Read_AfterWrite_IsStillEmpty()
    {
        var storage = new VolatileGrainStorage();
        var written = new GrainState<List<int>>([1, 2, 3]);
        await storage.WriteStateAsync("state", Grain, written);

        var read = new GrainState<List<int>>([]);
        await storage.ReadStateAsync("state", Grain, read);

        Assert.True(written.RecordExists);
        Assert.False(read.RecordExists);
        Assert.Empty(read.State!);
    }
}
