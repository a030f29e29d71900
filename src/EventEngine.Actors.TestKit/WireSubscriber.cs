using System.Text;
using EventEngine.Actors.Events;
using EventEngine.Actors.TestKit.Internal;
using NetMQ;
using NetMQ.Sockets;

namespace EventEngine.Actors.TestKit;

/// <summary>
/// An unregistered subscriber on the engine's TCP subscribe port, as another process would be: it receives the
/// frames whose prefix it subscribed to. Created by <see cref="EngineUnderTest.SubscribeOverWire"/> once the bridge has
/// confirmed the subscription. Use it from one thread at a time; dispose it (or let the test's actor system end).
/// </summary>
public sealed class WireSubscriber : IDisposable
{
    private readonly SubscriberSocket _socket;
    private readonly Harness _harness;
    private readonly string _prefix;

    internal WireSubscriber(SubscriberSocket socket, Harness harness, string prefix)
    {
        _socket = socket;
        _harness = harness;
        _prefix = prefix;
    }

    /// <summary>Expects the next frame within <paramref name="timeout"/> (default: the TestKit's remaining or default time).</summary>
    /// <exception cref="EventExpectationException">No frame arrived in time.</exception>
    public byte[] ExpectFrame(TimeSpan? timeout = null)
    {
        var wait = timeout is { } t ? _harness.Kit.Dilated(t) : _harness.Kit.RemainingOrDefault;
        return Next(wait) ?? throw new EventExpectationException(
            $"Expected a frame on the subscribe port (prefix {Describe.Prefix(Encoding.ASCII.GetBytes(_prefix))}) within {Describe.Duration(wait)}, but none arrived.");
    }

    /// <summary>Expects the next frame to be a <typeparamref name="T"/> (decoded with its registered codec) and returns it.</summary>
    /// <exception cref="EventExpectationException">Nothing, or a frame of another type, arrived.</exception>
    public T Expect<T>(TimeSpan? timeout = null) where T : notnull
    {
        var type = _harness.Engine.Events.Get<T>();
        var frame = ExpectFrame(timeout);
        var reader = _harness.Engine.Events.Match(frame);
        if (!ReferenceEquals(reader, type))
            throw new EventExpectationException(
                $"Expected a {type.Name} on the subscribe port, but received {(reader is null ? "a raw frame" : $"a {reader.Name}")} {Describe.Frame(frame)}.");
        try
        {
            return type.Decode(frame);
        }
        catch (Exception e)
        {
            throw new EventExpectationException($"Received a {type.Name} frame {Describe.Frame(frame)} on the subscribe port, but it does not decode: {e.Message}", e);
        }
    }

    /// <summary>Expects no frame for <paramref name="duration"/> (default 500ms, dilated).</summary>
    /// <exception cref="EventExpectationException">A frame arrived.</exception>
    public void ExpectNoFrame(TimeSpan? duration = null)
    {
        var wait = _harness.Kit.Dilated(duration ?? TimeSpan.FromMilliseconds(500));
        if (Next(wait) is { } frame)
            throw new EventExpectationException($"Expected no frame on the subscribe port for {Describe.Duration(wait)}, but received {Describe.Frame(frame)}.");
    }

    /// <summary>Closes the socket.</summary>
    public void Dispose() => _socket.Dispose();

    private byte[]? Next(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (!_socket.TryReceiveFrameBytes(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, out var frame)) return null;
            if (!WireProbe.IsPing(frame)) return frame;
        }
    }
}
