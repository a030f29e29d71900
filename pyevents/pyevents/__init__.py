"""
pyevents: write plugins for EventEngine.Actors (and the original event-engine) in Python.

- :mod:`pyevents.events`: the original helper's four functions (``get_plugin_socket``,
  ``get_next_msg``, ``publish_msg``, ``send_quit_command``), unchanged for existing plugins.
- :class:`EngineClient` (alias :data:`Plugin`): batching, server-side timeouts, explicit
  acknowledgement, reconnection; :class:`AsyncEngineClient`: the same on asyncio.
- :class:`EventTypes`: dataclasses that travel as the C# records of the same name.
- :mod:`pyevents.testing`: a fake engine for testing plugins (and the pytest fixture ``fake_engine``).
- :mod:`pyevents.protocol`: the wire format as pure functions (``docs/protocol.md``).
"""
import logging
from typing import TYPE_CHECKING, Any

from .client import PLUGIN_ENV, PORT_ENV, EngineClient, Plugin
from .errors import (ClientClosedError, EngineError, EngineTimeout, EventDecodeError, ProtocolError,
                     PyEventsError)
from .events import (CURVE_SERVER_KEY_ENV, HOST_ENV, configure_curve, curve_key, get_next_msg, get_plugin_socket,
                     publish_msg, send_quit_command)
from .protocol import TracedFrame, decode_event, encode_event, encode_payload
from .typed import DECIMAL_TEXT, MESSAGEPACK, UTF8_TEXT, EventTypes, pascal_case

__version__ = "0.3.0"

logging.getLogger("pyevents").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from .aio import AsyncEngineClient


def __getattr__(name: str) -> Any:  # AsyncEngineClient imports asyncio: only for the plugins that use it
    if name == "AsyncEngineClient":
        from .aio import AsyncEngineClient
        return AsyncEngineClient
    raise AttributeError(f"module 'pyevents' has no attribute {name!r}")

__all__ = [
    "EngineClient", "AsyncEngineClient", "Plugin", "EventTypes", "pascal_case", "MESSAGEPACK", "UTF8_TEXT", "DECIMAL_TEXT",
    "decode_event", "encode_event", "encode_payload", "TracedFrame",
    "PyEventsError", "EngineError", "ProtocolError", "EngineTimeout", "ClientClosedError",
    "EventDecodeError", "get_plugin_socket", "get_next_msg", "publish_msg", "send_quit_command",
    "HOST_ENV", "PORT_ENV", "PLUGIN_ENV", "CURVE_SERVER_KEY_ENV", "configure_curve", "curve_key", "__version__",
]
