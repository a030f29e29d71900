namespace EventEngine.Actors;

/// <summary>An engine-level error: bad configuration, a port that cannot be bound, a misused API.</summary>
public sealed class EventEngineException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventEngineException(string message, Exception? inner = null) : base(message, inner) { }
}
