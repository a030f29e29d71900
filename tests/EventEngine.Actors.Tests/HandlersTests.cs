using EventEngine.Actors.Events;
using EventEngine.Actors.Plugins;
using Xunit;

namespace EventEngine.Actors.Tests;

/// <summary>Which of a plugin's handlers takes an event: the published-as type, then the event's own type, then raw prefixes.</summary>
public class HandlersTests
{
    public interface IAlarm;

    public sealed record Fire(string Where) : IAlarm;

    private readonly List<string> _calls = new();

    private Handler Named(string name) => Handler.Sync<object>(_ => _calls.Add(name), "test");

    private string? Taker(Handlers handlers, object @event, Type? publishedAs = null)
    {
        _calls.Clear();
        handlers.For(@event, publishedAs)?.Invoke(@event);
        return _calls.SingleOrDefault();
    }

    [Fact]
    public void An_event_goes_to_the_handler_of_the_type_it_was_published_as_else_to_its_own_types()
    {
        var handlers = new Handlers();
        handlers.Add(typeof(IAlarm), Named("alarm"));
        handlers.Add(typeof(Fire), Named("fire"));
        Assert.Equal("alarm", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(IAlarm)));
        Assert.Equal("fire", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(Fire)));
        Assert.Equal("fire", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(Ping))); // no handler for that type
        Assert.Equal("fire", Taker(handlers, new Fire("kitchen")));
        Assert.Null(Taker(handlers, new Ping(1), publishedAs: typeof(Ping)));
    }

    public sealed record Flood(string Where) : IAlarm;

    [Fact]
    public void Events_of_one_published_as_type_in_a_row_keep_their_handler_and_a_handler_added_later_takes_over()
    {
        var handlers = new Handlers();
        handlers.Add(typeof(Fire), Named("fire"));
        handlers.Add(typeof(Flood), Named("flood"));
        // No IAlarm handler: each event goes by its own type, whatever came before it.
        Assert.Equal("fire", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(IAlarm)));
        Assert.Equal("flood", Taker(handlers, new Flood("cellar"), publishedAs: typeof(IAlarm)));
        handlers.Add(typeof(IAlarm), Named("alarm"));
        Assert.Equal("alarm", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(IAlarm)));
        Assert.Equal("alarm", Taker(handlers, new Flood("cellar"), publishedAs: typeof(IAlarm)));
        Assert.Equal("fire", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(Fire)));
        Assert.Equal("alarm", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(IAlarm)));
        handlers.Add(typeof(IAlarm), Named("alarm 2"));
        Assert.Equal("alarm 2", Taker(handlers, new Fire("kitchen"), publishedAs: typeof(IAlarm)));
    }

    [Fact]
    public void A_raw_frame_goes_to_the_first_raw_prefix_it_starts_with()
    {
        var handlers = new Handlers();
        handlers.AddRaw("Sensor4"u8.ToArray(), Named("sensor4"));
        handlers.AddRaw("Sensor"u8.ToArray(), Named("sensor"));
        handlers.Add(typeof(Ping), Named("ping"));
        Assert.Equal("sensor4", Taker(handlers, new RawEvent("Sensor42"u8.ToArray())));
        Assert.Equal("sensor", Taker(handlers, new RawEvent("Sensor7"u8.ToArray())));
        Assert.Null(Taker(handlers, new RawEvent("Other"u8.ToArray())));
        Assert.Null(Taker(handlers, new Fire("not raw"))); // a typed event never falls through to raw prefixes
    }

    [Fact]
    public void Sync_and_async_handlers_say_which_they_are_and_run_the_given_code()
    {
        var sync = Handler.Sync<Ping>(p => _calls.Add($"sync {p.N}"), "test");
        var seen = CancellationToken.None;
        using var source = new CancellationTokenSource();
        var async = Handler.Async<Ping>((p, token) =>
        {
            _calls.Add($"async {p.N}");
            seen = token;
            return Task.CompletedTask;
        });
        Assert.False(sync.IsAsync);
        Assert.True(async.IsAsync);
        sync.Invoke(new Ping(1));
        Assert.True(async.InvokeAsync(new Ping(2), source.Token).IsCompletedSuccessfully);
        Assert.Equal(new[] { "sync 1", "async 2" }, _calls);
        Assert.Equal(source.Token, seen);
    }

    [Fact]
    public void Only_async_void_methods_are_refused()
    {
        Handler.RefuseAsyncVoid(new Action<Ping>(_ => { }), "test"); // a plain handler
        Handler.RefuseAsyncVoid(new Func<Ping, Task>(async _ => await Task.Yield()), "test"); // an async Task handler
        var error = Assert.Throws<ArgumentException>(() => Handler.RefuseAsyncVoid(new Action<Ping>(async _ => await Task.Yield()), "Plugin p: Subscribe<Ping>"));
        Assert.Matches(@"^Plugin p: Subscribe<Ping>: the handler is an async void method \(.+\), which would run outside the plugin after its first await " +
                       @"and end the process if it threw\. Make it return Task \(async Task, or an async lambda\) so the Func<\.\.\., Task> overload takes it; " +
                       @"that overload awaits it inside the plugin\. \(Parameter 'handler'\)$", error.Message);
        Assert.Equal("handler", error.ParamName);
    }
}
