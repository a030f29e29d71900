using EventEngine.Actors.Plugins;
using EventEngine.Actors.TestKit;
using Xunit;

namespace MyPlugins.Tests;

public sealed record Greet(string Name);
public sealed record Greeting(string Text);

// The plugin under test: answers every Greet with a Greeting.
public sealed class Greeter : EventPlugin
{
    public Greeter() => Subscribe<Greet>(g => Publish(new Greeting($"Hello, {g.Name}!")));
}

public class GreeterTests : EventEngineTestKit
{
    [Fact]
    public void Greets_whoever_asks()
    {
        var greeter = StartPlugin<Greeter>();
        Assert.Equal(["Greet"], greeter.Subscriptions);

        greeter.Deliver(new Greet("Ada"), new Greet("Alan"));

        greeter.ExpectPublished(new Greeting("Hello, Ada!"));
        greeter.ExpectPublished<Greeting>(g => g.Text.Contains("Alan"));
        greeter.ExpectNoPublished();
    }
}
