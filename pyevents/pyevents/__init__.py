"""
pyevents: write plugins for EventEngine.Actors (and the original event-engine) in Python.

- :mod:`pyevents.events`: the original helper's four functions (``get_plugin_socket``,
  ``get_next_msg``, ``publish_msg``, ``send_quit_command``), unchanged for existing plugins.
- :class:`EngineClient` (alias :data:`Plugin`): batching, server-side timeouts, MessagePack events.
- :mod:`pyevents.protocol`: the wire format as pure functions (``docs/protocol.md``).
"""
from .client import PLUGIN_ENV, PORT_ENV, EngineClient, Plugin
from .errors import (ClientClosedError, EngineError, EngineTimeout, EventDecodeError, ProtocolError,
                     PyEventsError)
from .events import (CURVE_SERVER_KEY_ENV, HOST_ENV, configure_curve, curve_key, get_next_msg, get_plugin_socket,
                     publish_msg, send_quit_command)
from .protocol import decode_event, encode_event, encode_payload

__version__ = "0.2.0"

__all__ = [
    "EngineClient", "Plugin", "decode_event", "encode_event", "encode_payload",
    "PyEventsError", "EngineError", "ProtocolError", "EngineTimeout", "ClientClosedError",
    "EventDecodeError", "get_plugin_socket", "get_next_msg", "publish_msg", "send_quit_command",
    "HOST_ENV", "PORT_ENV", "PLUGIN_ENV", "CURVE_SERVER_KEY_ENV", "configure_curve", "curve_key", "__version__",
]
