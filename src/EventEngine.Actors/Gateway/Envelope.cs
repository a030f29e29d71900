namespace EventEngine.Actors.Gateway;

/// <summary>
/// The routing part of a request on a ROUTER socket: the frames before the empty delimiter a REQ socket adds (the
/// peer's identity, and more with REQ_CORRELATE), echoed back in front of the reply.
/// </summary>
internal sealed record Envelope(byte[][] Routing, bool Delimited)
{
    public byte[] Identity => Routing[0];

    /// <summary>Splits a request; a peer without a delimiter (a DEALER) gets replies without one.</summary>
    public static Envelope Split(List<byte[]> frames, out int bodyStart)
    {
        for (var i = 1; i < frames.Count; i++)
        {
            if (frames[i].Length != 0) continue;
            bodyStart = i + 1;
            return new Envelope(frames.GetRange(0, i).ToArray(), true);
        }
        bodyStart = 1;
        return new Envelope([frames[0]], false);
    }
}
