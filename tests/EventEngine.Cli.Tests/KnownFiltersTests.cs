using System.Text;
using EventEngine.Cli;

namespace EventEngine.Cli.Tests;

/// <summary><c>echo</c> and <c>hz</c> learn event types the engine registered after they started.</summary>
public class KnownFiltersTests
{
    [Fact]
    public async Task A_frame_of_no_known_type_asks_the_dashboard_again_and_learns_a_type_registered_since()
    {
        var registered = new List<string>();
        var asked = 0;
        var filters = await KnownFilters.LoadAsync(() =>
        {
            asked++;
            return Task.FromResult<IReadOnlyList<string>>([.. registered]);
        }, "Type");
        var frame = Encoding.ASCII.GetBytes("TypeAhello");
        Assert.Equal("Type", await filters.FilterOfAsync(frame)); // nothing registered when it started, nor 0 ms later
        registered.Add("TypeA");

        await Wait.Until(async () => await filters.FilterOfAsync(frame) == "TypeA", () => "the frame to split at the newly registered TypeA");

        Assert.Equal("Type", await filters.FilterOfAsync(Encoding.ASCII.GetBytes("TypeBhello"))); // still unknown: the prefix
        var askedOnceKnown = asked;
        await filters.FilterOfAsync(frame);
        Assert.Equal(askedOnceKnown, asked); // a frame of a known type asks nobody
    }

    [Fact]
    public async Task Without_a_dashboard_every_frame_is_split_at_the_prefix()
    {
        var filters = await KnownFilters.LoadAsync(null, "Type");
        var frame = Encoding.ASCII.GetBytes("TypeAhello");
        Assert.Equal("Type", await filters.FilterOfAsync(frame));
    }
}
