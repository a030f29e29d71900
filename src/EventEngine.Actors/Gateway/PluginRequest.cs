using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using EventEngine.Actors.Diagnostics;

namespace EventEngine.Actors.Gateway;

/// <summary>What a registered external plugin asks for in one request.</summary>
internal enum RequestKind
{
    /// <summary>Publish <see cref="PluginRequest.Frame"/> as it is (the original's "any other bytes").</summary>
    Publish,

    /// <summary><c>plugin_command: next_msg [wait_ms]</c>: one event, replied as the bare event frame.</summary>
    NextMsg,

    /// <summary><c>plugin_command: next_batch max [wait_ms]</c>: up to max events in one multipart reply.</summary>
    NextBatch,

    /// <summary><c>plugin_command: publish_batch\n</c> then length-prefixed events.</summary>
    PublishBatch,

    /// <summary><c>plugin_command: quit</c>: the plugin ends its session (no reply).</summary>
    Quit,

    /// <summary><c>plugin_command: ack [n]</c>: acknowledges the first n (default all) unacknowledged events.</summary>
    Ack,

    /// <summary>A request the engine refuses; <see cref="PluginRequest.Reason"/> says why.</summary>
    Bad,
}

/// <summary>
/// One parsed request of the plugin protocol (see docs/protocol.md). Parsing is pure: it touches no socket and
/// publishes nothing, so a malformed batch publishes none of its events.
/// </summary>
internal readonly struct PluginRequest
{
    /// <summary>Largest <c>max</c> of <c>next_batch</c>.</summary>
    public const int MaxBatch = 65536;

    /// <summary>Largest <c>wait_ms</c> a request may carry (one hour).</summary>
    public const int MaxWaitMs = 3_600_000;

    /// <summary>The reserved prefix of every command.</summary>
    public static readonly byte[] CommandPrefix = "plugin_command: "u8.ToArray();

    /// <summary>The optional last argument of <c>next_batch</c>: the reply carries the events' traceparents.</summary>
    private static readonly byte[] TraceparentsFlag = " traceparents"u8.ToArray();

    private PluginRequest(RequestKind kind, int maxEvents = 1, int waitMs = -1, byte[]? frame = null,
        IReadOnlyList<byte[]>? frames = null, string? reason = null, bool traceparents = false, ActivityContext trace = default)
    {
        Kind = kind;
        MaxEvents = maxEvents;
        WaitMs = waitMs;
        Frame = frame;
        Frames = frames;
        Reason = reason;
        WantsTraceparents = traceparents;
        Trace = trace;
    }

    public RequestKind Kind { get; }

    /// <summary>Events the reply may carry (1 for next_msg); for <see cref="RequestKind.Ack"/>, how many it acknowledges (-1: all).</summary>
    public int MaxEvents { get; }

    /// <summary>How long to wait for an event in milliseconds; -1 waits until one exists.</summary>
    public int WaitMs { get; }

    /// <summary>The frame to publish (<see cref="RequestKind.Publish"/>).</summary>
    public byte[]? Frame { get; }

    /// <summary>The frames to publish (<see cref="RequestKind.PublishBatch"/>), at least one.</summary>
    public IReadOnlyList<byte[]>? Frames { get; }

    /// <summary>Why a <see cref="RequestKind.Bad"/> request is refused (ASCII, short).</summary>
    public string? Reason { get; }

    /// <summary>A <c>next_batch ... traceparents</c>: the reply says which trace each event belongs to.</summary>
    public bool WantsTraceparents { get; }

    /// <summary>The trace a <c>publish_batch &lt;traceparent&gt;</c> continues (default: none given).</summary>
    public ActivityContext Trace { get; }

    /// <summary>
    /// A fast-mode fetch (<c>next_batch</c>, <c>next_msg &lt;wait_ms&gt;</c>): the events it hands out are acknowledged
    /// only by the next fetch, <c>ack</c> or <c>quit</c>, never by a publication (docs/protocol.md, 2.4).
    /// </summary>
    public bool WantsExplicitAck => Kind == RequestKind.NextBatch || (Kind == RequestKind.NextMsg && WaitMs >= 0);

    public static PluginRequest Bad(string reason) => new(RequestKind.Bad, reason: reason);

    /// <summary>Parses the single body frame of a request.</summary>
    public static PluginRequest Parse(byte[] body)
    {
        if (!body.AsSpan().StartsWith(CommandPrefix)) return new PluginRequest(RequestKind.Publish, frame: body);
        var rest = body.AsSpan(CommandPrefix.Length);
        var end = rest.IndexOfAny((byte)' ', (byte)'\n');
        var verb = end < 0 ? rest : rest[..end];
        var hasArgs = end >= 0 && rest[end] == (byte)' ';
        var args = end < 0 ? ReadOnlySpan<byte>.Empty : rest[(end + 1)..];
        switch (Encoding.ASCII.GetString(verb))
        {
            case "next_msg" when end < 0:
                return new PluginRequest(RequestKind.NextMsg);
            case "next_msg":
                return hasArgs && TryParseArgs(args, out var a, out var count) && count == 1 && a[0] <= MaxWaitMs
                    ? new PluginRequest(RequestKind.NextMsg, waitMs: a[0])
                    : Bad($"next_msg takes an optional <wait_ms> (0..{MaxWaitMs})");
            case "next_batch":
                var traceparents = args.EndsWith(TraceparentsFlag);
                if (traceparents) args = args[..^TraceparentsFlag.Length];
                return hasArgs && TryParseArgs(args, out var b, out var n) && b[0] is >= 1 and <= MaxBatch && (n == 1 || b[1] <= MaxWaitMs)
                    ? new PluginRequest(RequestKind.NextBatch, b[0], n == 2 ? b[1] : -1, traceparents: traceparents)
                    : Bad($"next_batch takes <max> (1..{MaxBatch}), an optional <wait_ms> (0..{MaxWaitMs}) and an optional 'traceparents'");
            case "ack" when end < 0:
                return new PluginRequest(RequestKind.Ack, maxEvents: -1);
            case "ack":
                return hasArgs && TryParseArgs(args, out var c, out var k) && k == 1
                    ? new PluginRequest(RequestKind.Ack, maxEvents: c[0])
                    : Bad("ack takes an optional <count> of events to acknowledge");
            case "quit":
                return end < 0 ? new PluginRequest(RequestKind.Quit) : Bad("quit takes no arguments");
            case "publish_batch" when !hasArgs:
                return end >= 0
                    ? ParseBatch(body, CommandPrefix.Length + end + 1, default)
                    : Bad("publish_batch must be followed by a newline (or a space, a traceparent and a newline), then length-prefixed events");
            case "publish_batch":
                var lf = args.IndexOf((byte)'\n');
                if (lf < 0) return Bad("publish_batch <traceparent> must be followed by a newline, then length-prefixed events");
                return EngineTracing.TryParseTraceparent(args[..lf], out var trace)
                    ? ParseBatch(body, CommandPrefix.Length + end + 1 + lf + 1, trace)
                    : Bad($"publish_batch: '{Printable(args[..lf])}' is not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, lower case)");
            default:
                return Bad($"unknown command '{Printable(verb)}'");
        }
    }

    /// <summary>
    /// Parses events from <paramref name="start"/>: each a 4-byte big-endian length, then that many bytes. Their
    /// publish spans continue <paramref name="trace"/> if given.
    /// Offsets in the reasons count from the start of the request.
    /// </summary>
    private static PluginRequest ParseBatch(byte[] body, int start, ActivityContext trace)
    {
        var frames = new List<byte[]>();
        var pos = start;
        while (pos < body.Length)
        {
            if (body.Length - pos < 4) return Bad($"truncated length at byte {pos}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(pos, 4));
            pos += 4;
            if (length > (uint)(body.Length - pos)) return Bad($"event {frames.Count} length {length} runs past the end");
            var frame = body.AsSpan(pos, (int)length);
            if (frame.StartsWith(CommandPrefix)) return Bad($"event {frames.Count} starts with the reserved prefix 'plugin_command: '");
            frames.Add(frame.ToArray());
            pos += (int)length;
        }
        return frames.Count == 0 ? Bad("empty batch") : new PluginRequest(RequestKind.PublishBatch, frames: frames, trace: trace);
    }

    // One or two decimal arguments, separated by single spaces, digits only (no sign, no blanks).
    private static bool TryParseArgs(ReadOnlySpan<byte> args, out int[] values, out int count)
    {
        values = new int[2];
        count = 0;
        while (true)
        {
            var space = args.IndexOf((byte)' ');
            var token = space < 0 ? args : args[..space];
            if (count == 2 || !TryParseDecimal(token, out values[count])) return false;
            count++;
            if (space < 0) return true;
            args = args[(space + 1)..];
        }
    }

    private static bool TryParseDecimal(ReadOnlySpan<byte> token, out int value)
    {
        value = 0;
        if (token.Length is 0 or > 9) return false;
        foreach (var b in token)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    private static string Printable(ReadOnlySpan<byte> verb)
    {
        var shown = verb.Length > 40 ? verb[..40] : verb;
        var text = string.Create(shown.Length, shown.ToArray(), (chars, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++) chars[i] = bytes[i] is >= 0x20 and < 0x7f and not (byte)'\'' ? (char)bytes[i] : '?';
        });
        return verb.Length > 40 ? text + "..." : text;
    }
}
