namespace EventEngine.Actors.Gateway.Transports;

/// <summary>
/// What a plugin port's transport hands the port's serving logic (<see cref="PluginPort"/>), always on the transport's
/// one thread.
/// </summary>
internal interface IPortRequests
{
    /// <summary>A request: who sent it (and how its reply is framed) and its body frames (valid during the call only).</summary>
    void Handle(Envelope envelope, IReadOnlyList<byte[]> body);

    /// <summary>A peer connected (+1) or went away (-1).</summary>
    void ConnectionsChanged(int delta);

    /// <summary>The timer set with <see cref="IPortTransport.StartTimer"/> elapsed.</summary>
    void WaitTimedOut();
}

/// <summary>
/// The transport of one registered external plugin's TCP port: it owns the listening socket and the peers'
/// connections, reads their requests and writes the replies, and runs the port's serving logic, its timer and posted
/// work on one thread (<c>event-engine.gateway.plugin-transport</c>: <see cref="NetMqPortTransport"/> or
/// <see cref="LeanPortTransport"/>). Everything but <see cref="Post"/> and <c>Dispose</c> is called on that thread.
/// </summary>
internal interface IPortTransport : IDisposable
{
    /// <summary>The bound TCP port.</summary>
    int Port { get; }

    /// <summary>Starts handing requests to <paramref name="requests"/>; called once.</summary>
    void Start(IPortRequests requests);

    /// <summary>Runs <paramref name="action"/> on the transport's thread. Any thread.</summary>
    void Post(Action action);

    /// <summary>Writes a reply to the peer of <paramref name="to"/>; dropped when that peer has gone.</summary>
    void Reply(Envelope to, ReadOnlySpan<byte[]> frames);

    /// <summary>Calls <see cref="IPortRequests.WaitTimedOut"/> after <paramref name="milliseconds"/>, replacing any timer set before.</summary>
    void StartTimer(int milliseconds);

    void StopTimer();
}
