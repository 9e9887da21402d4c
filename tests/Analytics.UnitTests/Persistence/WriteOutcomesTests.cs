using Analytics.Persistence.Postgres;
using Xunit;

namespace Analytics.UnitTests.Persistence;

/// <summary>A batched write's result rows become one outcome per grain; a lost version check fails only its own grain.</summary>
public sealed class WriteOutcomesTests
{
    [Fact]
    public void Every_returned_row_gives_its_request_the_new_version_and_a_missing_row_is_a_conflict()
    {
        var outcomes = WriteOutcomes.Map(4, [(0, 3), (3, 1), (1, 8)]);

        Assert.Equal([3, 8, null, 1], outcomes);
    }

    [Fact]
    public void A_batch_where_every_check_failed_has_only_conflicts()
    {
        Assert.Equal([null, null], WriteOutcomes.Map(2, []));
    }

    [Fact]
    public void An_index_outside_the_batch_is_a_bug_and_fails_the_batch()
    {
        Assert.Throws<InvalidOperationException>(() => WriteOutcomes.Map(2, [(2, 1)]));
        Assert.Throws<InvalidOperationException>(() => WriteOutcomes.Map(2, [(-1, 1)]));
    }

    [Fact]
    public void A_request_changed_twice_is_a_bug_and_fails_the_batch()
    {
        Assert.Throws<InvalidOperationException>(() => WriteOutcomes.Map(2, [(1, 1), (1, 2)]));
    }
}
