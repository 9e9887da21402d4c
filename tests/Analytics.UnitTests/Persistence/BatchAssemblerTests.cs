using Analytics.Persistence.Postgres;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>How the batched storage picks its next batch: size limit, arrival order, one request per row key.</summary>
public sealed class BatchAssemblerTests
{
    private static readonly Func<string, object> KeyBeforeColon = r => r.Split(':')[0];

    [Fact]
    public void A_batch_takes_waiting_requests_in_order_up_to_the_size_limit()
    {
        var waiting = Queue("a:1", "b:1", "c:1", "d:1", "e:1");
        var heldBack = new List<string>();

        var first = BatchAssembler.Take(heldBack, waiting.TryDequeue, 3, KeyBeforeColon);
        var second = BatchAssembler.Take(heldBack, waiting.TryDequeue, 3, KeyBeforeColon);

        Assert.Equal(["a:1", "b:1", "c:1"], first);
        Assert.Equal(["d:1", "e:1"], second);
        Assert.Empty(heldBack);
        Assert.Empty(waiting);
    }

    [Fact]
    public void A_second_write_of_the_same_row_waits_for_the_next_batch_and_goes_first_there()
    {
        var waiting = Queue("a:1", "b:1", "a:2", "c:1", "a:3");
        var heldBack = new List<string>();

        var first = BatchAssembler.Take(heldBack, waiting.TryDequeue, 10, KeyBeforeColon);
        Assert.Equal(["a:1", "b:1", "c:1"], first);
        Assert.Equal(["a:2", "a:3"], heldBack);

        waiting.Enqueue("d:1");
        var second = BatchAssembler.Take(heldBack, waiting.TryDequeue, 10, KeyBeforeColon);
        Assert.Equal(["a:2", "d:1"], second);
        Assert.Equal(["a:3"], heldBack);

        var third = BatchAssembler.Take(heldBack, waiting.TryDequeue, 10, KeyBeforeColon);
        Assert.Equal(["a:3"], third);
        Assert.Empty(heldBack);
    }

    [Fact]
    public void Held_back_requests_beyond_the_size_limit_stay_held_back_in_order()
    {
        var heldBack = new List<string> { "a:1", "b:1", "c:1" };
        var waiting = Queue("d:1");

        var batch = BatchAssembler.Take(heldBack, waiting.TryDequeue, 2, KeyBeforeColon);

        Assert.Equal(["a:1", "b:1"], batch);
        Assert.Equal(["c:1"], heldBack);
        Assert.Single(waiting); // a full batch reads nothing more
    }

    [Fact]
    public void Without_a_key_requests_for_the_same_row_share_a_batch()
    {
        var waiting = Queue("a:1", "a:2");
        var heldBack = new List<string>();

        var batch = BatchAssembler.Take(heldBack, waiting.TryDequeue, 10, keyOf: null);

        Assert.Equal(["a:1", "a:2"], batch);
        Assert.Empty(heldBack);
    }

    private static Queue<string> Queue(params string[] items) => new(items);
}
