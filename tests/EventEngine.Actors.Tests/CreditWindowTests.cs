using EventEngine.Actors.FlowControl;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>The flow-control window on its own: when a source is paused, when it is woken, and what closing does.</summary>
public class CreditWindowTests
{
    [Fact]
    public void A_source_is_paused_at_the_high_water_mark_and_woken_only_at_the_low_water_mark()
    {
        var window = new CreditWindow("producer", highWaterMark: 4, lowWaterMark: 2);
        window.Take(3);
        Assert.True(window.HasRoom);
        Assert.False(window.IsPaused);
        Assert.True(window.WhenRoom().IsCompletedSuccessfully);

        window.Take(1); // 4 in flight: full
        Assert.False(window.HasRoom);
        Assert.True(window.IsPaused);
        var room = window.WhenRoom();
        Assert.False(room.IsCompleted);
        Assert.Same(room, window.WhenRoom()); // one waiter, however often the source asks

        window.Return(); // 3: below the high mark, still above the low mark: the paused source stays paused
        Assert.True(window.HasRoom);
        Assert.True(window.IsPaused);
        Assert.False(room.IsCompleted);

        window.Return(); // 2: the low mark
        Assert.True(room.Wait(TimeSpan.FromSeconds(10)), "the waiter was not woken at the low-water mark");
        Assert.False(window.IsPaused);
        Assert.Equal(2, window.InFlight);
    }

    [Fact]
    public void After_a_wake_up_a_window_full_again_makes_the_source_wait_anew()
    {
        var window = new CreditWindow("producer", highWaterMark: 2, lowWaterMark: 1);
        window.Take(2);
        var room = window.WhenRoom();
        window.Return();
        Assert.True(room.Wait(TimeSpan.FromSeconds(10)));
        window.Take(1); // full again: the next ask waits for a fresh wake-up, not the completed one
        var next = window.WhenRoom();
        Assert.False(next.IsCompleted);
        window.Return();
        Assert.True(next.Wait(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_low_water_mark_at_or_above_the_high_one_still_wakes_the_source_one_below_it()
    {
        var window = new CreditWindow("producer", highWaterMark: 3, lowWaterMark: 10);
        window.Take(3);
        var room = window.WhenRoom();
        Assert.False(room.IsCompleted);
        window.Return();
        Assert.True(room.Wait(TimeSpan.FromSeconds(10)));

        var zeroLow = new CreditWindow("producer", highWaterMark: 2, lowWaterMark: -5); // clamped to 0: resume once drained
        zeroLow.Take(2);
        var drained = zeroLow.WhenRoom();
        zeroLow.Return();
        Assert.False(drained.IsCompleted);
        zeroLow.Return();
        Assert.True(drained.Wait(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void A_window_needs_room_for_one_delivery()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new CreditWindow("producer", highWaterMark: 0, lowWaterMark: 0));
        Assert.Equal("highWaterMark", error.ParamName);
        Assert.Contains("must be at least 1", error.Message);
        Assert.True(new CreditWindow("producer", highWaterMark: 1, lowWaterMark: 0).HasRoom);
    }

    [Fact]
    public void A_closed_window_never_has_room_again_but_still_counts_returned_credit()
    {
        var window = new CreditWindow("producer", highWaterMark: 10, lowWaterMark: 5);
        window.Take(2);
        window.Close();
        Assert.False(window.HasRoom);
        Assert.False(window.IsPaused); // a stopping engine's sources are not reported as paused
        Assert.False(window.WhenRoom().IsCompleted);
        window.Return();
        window.Return();
        Assert.Equal(0, window.InFlight);
        Assert.False(window.WhenRoom().IsCompleted);
    }

    [Fact]
    public void An_unbounded_window_never_pauses_and_names_its_source()
    {
        var window = CreditWindow.Unbounded("wire");
        Assert.Equal("wire", window.Source);
        window.Take(1_000_000);
        Assert.True(window.HasRoom);
        Assert.False(window.IsPaused);
        Assert.True(window.WhenRoom().IsCompletedSuccessfully);
    }
}
