namespace EventEngine.Actors.TestKit;

/// <summary>An expectation about published events, restarts or completion failed. The message names what was expected and what happened.</summary>
public sealed class EventExpectationException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public EventExpectationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public EventExpectationException(string message, Exception inner) : base(message, inner)
    {
    }
}
