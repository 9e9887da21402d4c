using Analytics.Streaming.Kafka.Providers;
using Xunit;

namespace Analytics.UnitTests.Streaming;

/// <summary>How far a partition is delivered: below the oldest container still in flight, or past the last poll.</summary>
public sealed class DeliveryTrackerTests
{
    [Fact]
    public void NothingPolled_NothingIsDelivered()
    {
        var tracker = new DeliveryTracker();

        Assert.Equal(-1, tracker.DeliveredBelow());
        Assert.Equal(-1, tracker.NextAfterPolled);
        Assert.Equal(0, tracker.InFlightContainers);
    }

    [Fact]
    public void PollWithoutContainers_IsDeliveredThroughItsLastOffset()
    {
        var tracker = new DeliveryTracker();

        tracker.OnPolled([], lastOffset: 41);

        Assert.Equal(42, tracker.DeliveredBelow());
    }

    [Fact]
    public void ContainersInFlight_HoldDeliveryBelowTheOldestFirstOffset()
    {
        var tracker = new DeliveryTracker();

        tracker.OnPolled([10, 12, 15], lastOffset: 19);

        Assert.Equal(10, tracker.DeliveredBelow());
        Assert.Equal(3, tracker.InFlightContainers);
        Assert.Equal(20, tracker.NextAfterPolled);
    }

    [Fact]
    public void DeliveringANewerContainerFirst_DoesNotMoveDeliveryPastTheOlderOne()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([10, 12, 15], lastOffset: 19);

        tracker.OnDelivered(15);
        tracker.OnDelivered(12);

        Assert.Equal(10, tracker.DeliveredBelow());
        tracker.OnDelivered(10);
        Assert.Equal(20, tracker.DeliveredBelow());
        Assert.Equal(0, tracker.InFlightContainers);
    }

    [Fact]
    public void DeliveringTheOldest_MovesDeliveryToTheNextOldest()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([10, 12, 15], lastOffset: 19);

        tracker.OnDelivered(10);

        Assert.Equal(12, tracker.DeliveredBelow());
    }

    [Fact]
    public void TwoContainersStartingAtTheSameOffset_MustBothBeDelivered()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([5, 5, 8], lastOffset: 9);

        tracker.OnDelivered(5);

        Assert.Equal(5, tracker.DeliveredBelow());
        Assert.Equal(2, tracker.InFlightContainers);
        tracker.OnDelivered(5);
        Assert.Equal(8, tracker.DeliveredBelow());
    }

    [Fact]
    public void DuplicateOrUnknownDelivery_ReleasesNothing()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([5, 8], lastOffset: 9);
        tracker.OnDelivered(5);

        tracker.OnDelivered(5);
        tracker.OnDelivered(6);
        tracker.OnDelivered(100);

        Assert.Equal(8, tracker.DeliveredBelow());
        Assert.Equal(1, tracker.InFlightContainers);
    }

    [Fact]
    public void LaterPolls_StayBehindAnOlderContainerStillInFlight()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([0, 3], lastOffset: 4);
        tracker.OnDelivered(3);

        tracker.OnPolled([5, 7], lastOffset: 9);
        tracker.OnDelivered(5);
        tracker.OnDelivered(7);

        Assert.Equal(0, tracker.DeliveredBelow());
        Assert.Equal(10, tracker.NextAfterPolled);
        tracker.OnDelivered(0);
        Assert.Equal(10, tracker.DeliveredBelow());
    }

    [Fact]
    public void NextAfterPolled_NeverMovesBack()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([], lastOffset: 50);

        tracker.OnPolled([], lastOffset: 20);

        Assert.Equal(51, tracker.NextAfterPolled);
        Assert.Equal(51, tracker.DeliveredBelow());
    }

    [Fact]
    public void Clear_ForgetsEverything()
    {
        var tracker = new DeliveryTracker();
        tracker.OnPolled([1, 2], lastOffset: 3);

        tracker.Clear();

        Assert.Equal(-1, tracker.DeliveredBelow());
        Assert.Equal((-1L, 0), (tracker.NextAfterPolled, tracker.InFlightContainers));
        tracker.OnDelivered(1);
        Assert.Equal(0, tracker.InFlightContainers);
    }
}
