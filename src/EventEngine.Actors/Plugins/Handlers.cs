using System.Runtime.CompilerServices;
using EventEngine.Actors.Events;

namespace EventEngine.Actors.Plugins;

/// <summary>One subscription's handler: synchronous, or asynchronous (a task the plugin awaits before its next event).</summary>
internal sealed class Handler
{
    private readonly Action<object>? _sync;
    private readonly Func<object, CancellationToken, Task>? _async;

    private Handler(Action<object>? sync, Func<object, CancellationToken, Task>? async)
    {
        _sync = sync;
        _async = async;
    }

    public bool IsAsync => _async is not null;

    public static Handler Sync<T>(Action<T> handler, string subscription)
    {
        RefuseAsyncVoid(handler, subscription);
        return new Handler(e => handler((T)e), null);
    }

    public static Handler Async<T>(Func<T, CancellationToken, Task> handler) => new(null, (e, token) => handler((T)e, token));

    public void Invoke(object @event) => _sync!(@event);

    public Task InvokeAsync(object @event, CancellationToken token) => _async!(@event, token);

    /// <summary>
    /// An <c>async</c> lambda passed where an <see cref="Action{T}"/> is expected compiles to <c>async void</c>: its code
    /// after the first await would run outside the actor, and an exception there would end the process. Refused here.
    /// </summary>
    /// <exception cref="ArgumentException">The handler is an async void method.</exception>
    public static void RefuseAsyncVoid(Delegate handler, string subscription)
    {
        if (handler.Method.ReturnType != typeof(void) || !handler.Method.IsDefined(typeof(AsyncStateMachineAttribute), inherit: false)) return;
        throw new ArgumentException(
            $"{subscription}: the handler is an async void method ({handler.Method.Name}), which would run outside the plugin after its first await " +
            $"and end the process if it threw. Make it return Task (async Task, or an async lambda) so the Func<..., Task> overload takes it; " +
            $"that overload awaits it inside the plugin.", nameof(handler));
    }
}

/// <summary>A plugin's handlers, by event type and by raw prefix.</summary>
internal sealed class Handlers
{
    private readonly Dictionary<Type, Handler> _typed = new();
    private readonly List<(byte[] Prefix, Handler Handler)> _raw = new();
    // The last published-as type found and its handler: a plugin mostly gets one type after another (one lookup less per event).
    private Type? _lastType;
    private Handler? _lastHandler;

    public void Add(Type eventType, Handler handler)
    {
        _typed[eventType] = handler;
        _lastType = null;
    }

    public void AddRaw(byte[] prefix, Handler handler) => _raw.Add((prefix, handler));

    /// <summary>
    /// The handler that takes <paramref name="event"/>, or null: by the type it was published as
    /// (<c>Publish&lt;IAlarm&gt;(new Fire())</c> reaches <c>Subscribe&lt;IAlarm&gt;</c>), else by its own type, else by raw prefix.
    /// </summary>
    public Handler? For(object @event, Type? publishedAs)
    {
        if (publishedAs is not null)
        {
            if (ReferenceEquals(publishedAs, _lastType)) return _lastHandler;
            if (_typed.TryGetValue(publishedAs, out var found))
            {
                (_lastType, _lastHandler) = (publishedAs, found);
                return found;
            }
        }
        if (_typed.TryGetValue(@event.GetType(), out var handler)) return handler;
        if (@event is not RawEvent raw) return null;
        foreach (var (prefix, rawHandler) in _raw)
            if (raw.Frame.AsSpan().StartsWith(prefix)) return rawHandler;
        return null;
    }
}
