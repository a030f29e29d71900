"""Exceptions raised by the high-level pyevents API (the original four functions raise zmq errors)."""

__all__ = ["PyEventsError", "EngineError", "ProtocolError", "EngineTimeout", "ClientClosedError",
           "EventDecodeError"]


class PyEventsError(Exception):
    """Base class of every exception pyevents raises itself."""


class EngineError(PyEventsError):
    """
    The engine refused a request: it replied ``event-engine: bad msg`` (optionally ``: <reason>``).

    Nothing of the refused request was published; the connection stays usable.

    Attributes:
        reason: the engine's reason text (``""`` when the engine gave none).
        reply: the whole reply frame, as bytes.
    """

    def __init__(self, reason: str, reply: bytes = b"") -> None:
        self.reason = reason
        self.reply = reply
        super().__init__(f"engine rejected the request: {reason}" if reason else
                         "engine rejected the request (bad msg)")

    def __reduce__(self):
        return (type(self), (self.reason, self.reply))


class ProtocolError(PyEventsError):
    """The engine's reply does not have the shape the protocol defines for that request."""


class EngineTimeout(PyEventsError, TimeoutError):
    """
    No reply came within the client-side limit (the engine is gone or unreachable).

    A REQ socket that gave up on a reply cannot send again, so the client closes its connection
    and cannot be used any more; events it was handed but had not acknowledged are handed out
    again to the next connection on that port.
    """


class ClientClosedError(PyEventsError):
    """The client was closed (by :meth:`EngineClient.close`, ``quit`` or an earlier timeout)."""


class EventDecodeError(PyEventsError, ValueError):
    """A frame matched an event type's filter but its payload is not valid MessagePack or does not fit the type."""

    def __init__(self, type_name: str, cause: object) -> None:
        self.type_name = type_name
        self.cause = str(cause)
        super().__init__(f"payload of a '{type_name}' event cannot be decoded: {cause}")

    def __reduce__(self):  # picklable although __init__ takes two arguments
        return (type(self), (self.type_name, self.cause))
