using System.Text;
using Analytics.Contracts;
using Analytics.Streaming.Kafka.Mapping;
using Analytics.Streaming.Kafka.Providers;
using Xunit;

namespace Analytics.UnitTests.Streaming;

/// <summary>The commit never passes an undelivered container or a side effect that is not durable yet.</summary>
public sealed class CommitRuleTests
{
    [Theory]
    [InlineData(-1L, null, -1L)]
    [InlineData(-1L, 10L, -1L)]
    [InlineData(0L, null, 0L)]
    [InlineData(42L, null, 42L)]
    [InlineData(42L, 42L, 42L)]
    [InlineData(42L, 30L, 30L)]
    [InlineData(30L, 42L, 30L)]
    [InlineData(42L, 0L, 0L)]
    public void Committable_IsTheLowerOfDeliveredAndDurable(long deliveredBelow, long? durableBelow, long expected)
    {
        Assert.Equal(expected, CommitRule.Committable(deliveredBelow, durableBelow));
    }

    private sealed class EverySecondRecordTwoStreams : IKafkaRecordMapper
    {
        public void Map(KafkaRecord record, IKafkaMappingSink sink)
        {
            var key = Encoding.UTF8.GetString(record.Value!);
            if (key == "bad") sink.Reject("bad");
            else if (record.Offset % 2 == 0) sink.Accept(record.Offset, [StreamId.Create(StreamNamespaces.Page, key), StreamId.Create(StreamNamespaces.Session, key)]);
            else sink.Accept(record.Offset, [StreamId.Create(StreamNamespaces.Page, key)]);
        }
    }

    /// <summary>
    /// Random polls, out-of-order deliveries and a lagging side-effect writer (fixed seed): after every step, the
    /// committable offset is at or below every undelivered record and every non-durable one, and it never moves back.
    /// </summary>
    [Fact]
    public void Commit_NeverPassesAnUndeliveredRecordOrANonDurableSideEffect()
    {
        var random = new Random(7);
        var builder = new PollBuilder(new EverySecondRecordTwoStreams(), 1024);
        var tracker = new DeliveryTracker();
        var undelivered = new List<(long First, List<long> Offsets)>();
        long nextOffset = 0, durableBelow = 0, lastCommitted = -1;
        int limitedByDelivery = 0, limitedByDurability = 0;

        for (var step = 0; step < 3_000; step++)
        {
            var roll = random.Next(10);
            if (roll < 2)
            {
                var count = random.Next(1, 7);
                for (var i = 0; i < count; i++)
                {
                    var key = random.Next(10) == 0 ? "bad" : $"k{random.Next(8)}";
                    builder.Add(new KafkaRecord("t", 0, nextOffset++, DateTime.UnixEpoch, null, Encoding.UTF8.GetBytes(key)));
                }
                var (containers, poll) = builder.Complete("t", 0, DateTime.UnixEpoch);
                var batch = containers.Cast<KafkaBatchContainer>().ToList();
                tracker.OnPolled(batch.Select(c => c.Token.SequenceNumber), poll.LastOffset);
                undelivered.AddRange(batch.Select(c => (c.Token.SequenceNumber, c.Offsets)));
            }
            else if (roll < 7)
            {
                // Mostly in order, sometimes overtaking an older container.
                for (var n = random.Next(1, 5); n > 0 && undelivered.Count > 0; n--)
                {
                    var index = random.Next(Math.Min(4, undelivered.Count));
                    tracker.OnDelivered(undelivered[index].First);
                    undelivered.RemoveAt(index);
                }
            }
            else
            {
                durableBelow = Math.Min(nextOffset, durableBelow + random.Next(0, 9));
            }

            // The listener reports null when nothing it was handed is pending.
            var committable = CommitRule.Committable(tracker.DeliveredBelow(), durableBelow == nextOffset ? null : durableBelow);
            var oldestUndelivered = undelivered.Count == 0 ? long.MaxValue : undelivered.Min(c => c.Offsets.Min());
            Assert.True(committable <= oldestUndelivered, $"step {step}: committable {committable} passes undelivered offset {oldestUndelivered}");
            Assert.True(committable <= durableBelow, $"step {step}: committable {committable} passes non-durable offset {durableBelow}");
            Assert.True(committable >= lastCommitted, $"step {step}: committable moved back from {lastCommitted} to {committable}");
            if (committable == oldestUndelivered && committable < durableBelow) limitedByDelivery++;
            if (committable == durableBelow && committable < Math.Min(oldestUndelivered, nextOffset)) limitedByDurability++;
            lastCommitted = committable;
        }

        Assert.True(limitedByDelivery > 100, $"only {limitedByDelivery} steps were limited by delivery");
        Assert.True(limitedByDurability > 100, $"only {limitedByDurability} steps were limited by durability");
        Assert.True(lastCommitted > 1_000, $"the commit only reached {lastCommitted}");
    }
}
