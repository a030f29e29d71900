"""
A small library for developing event-engine plugins in Python (the original ``pyevents`` helper).

These four functions keep the names, arguments and behaviour of the original Rust event-engine's
helper, so plugins written for it run unchanged against EventEngine.Actors. The only difference:
the default host is the environment variable ``EVENT_ENGINE_HOST`` (read when the socket is made),
else ``127.0.0.1`` (the original defaulted to ``engine``, a docker network name). Diagnostics go
through :mod:`logging` (logger ``pyevents.events``) instead of ``print``.

The basic usage is as follows::

    import zmq
    from events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command

    context = zmq.Context()
    # the REQ socket your plugin uses to talk to the engine; pass the port configured for your plugin
    socket = get_plugin_socket(context, port)

    while True:
        msg_bytes = get_next_msg(socket)       # the next event frame: filter + payload
        # ... do something with the message ...
        publish_msg(socket, some_bytes)        # publish an event frame
        if some_condition:
            break

    send_quit_command(socket)                  # tell the engine this plugin is done

This module imports nothing from its package, so it works both as ``from events import ...``
(with the folder ``pyevents/pyevents`` on ``PYTHONPATH``) and as ``from pyevents.events import ...``.
For batching, timeouts that keep the connection usable, and MessagePack events see
:class:`pyevents.EngineClient`.
"""
import base64
import binascii
import logging
import os
import time

import zmq
import zmq.utils.z85

__all__ = ["get_plugin_socket", "get_next_msg", "publish_msg", "send_quit_command",
           "default_host", "DEFAULT_HOST", "HOST_ENV", "CURVE_SERVER_KEY_ENV", "configure_curve", "curve_key"]

log = logging.getLogger("pyevents.events")

#: Host used when neither the ``host`` argument nor ``EVENT_ENGINE_HOST`` is given.
DEFAULT_HOST = "127.0.0.1"
#: Environment variable naming the engine's host (set by the engine for plugins it launches).
HOST_ENV = "EVENT_ENGINE_HOST"
#: Environment variable with the engine's CURVE public key (Z85), set by the engine for the plugins it
#: launches when ``event-engine.security.curve`` is on.
CURVE_SERVER_KEY_ENV = "EVENT_ENGINE_CURVE_SERVER_KEY"


def default_host():
    """Return ``$EVENT_ENGINE_HOST`` if set and non-empty, else ``127.0.0.1``."""
    return os.environ.get(HOST_ENV) or DEFAULT_HOST


def curve_key(value, name="key"):
    """
    Return a 32-byte CURVE key in the Z85 form zmq takes (40 bytes). ``value`` is Z85 (40
    characters), base64 (44 characters) or the 32 raw bytes, as ``str`` or ``bytes``.
    """
    if isinstance(value, str):
        value = value.strip().encode("ascii")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be str or bytes, not {type(value).__name__}")
    value = bytes(value)
    try:
        if len(value) == 32:
            return zmq.utils.z85.encode(value)
        if len(value) == 40 and len(zmq.utils.z85.decode(value)) == 32:
            return value
        if len(value) == 44:
            raw = base64.b64decode(value, validate=True)
            if len(raw) == 32:
                return zmq.utils.z85.encode(raw)
    except (ValueError, TypeError, KeyError, binascii.Error):
        pass
    raise ValueError(f"{name} is not a 32-byte CURVE key (Z85: 40 characters, base64: 44, or 32 raw bytes)")


def configure_curve(socket, server_key=None, public_key=None, secret_key=None):
    """
    Make ``socket`` a CURVE client of the engine; call it before ``connect``. Returns True if CURVE
    is on, False if no server key was given (the socket then speaks plain ZMTP, as the original).

    ``server_key`` is the engine's public key (``event-engine.security.curve``); it defaults to
    ``$EVENT_ENGINE_CURVE_SERVER_KEY``, which the engine sets for the plugins it launches. The
    client's own key pair defaults to a fresh one (``zmq.curve_keypair()``): the engine does not
    authenticate clients by key (NetMQ has no ZAP), so it only serves the encryption.
    """
    if server_key is None:
        server_key = os.environ.get(CURVE_SERVER_KEY_ENV) or None
    if server_key is None:
        if public_key is not None or secret_key is not None:
            raise ValueError("a CURVE client key pair needs the engine's public key (curve_server_key)")
        return False
    if not zmq.has("curve"):
        raise RuntimeError("this pyzmq/libzmq has no CURVE support (it needs libsodium)")
    if (public_key is None) != (secret_key is None):
        raise ValueError("give both curve_public_key and curve_secret_key, or neither")
    if public_key is None:
        public_key, secret_key = zmq.curve_keypair()
    socket.curve_serverkey = curve_key(server_key, "curve_server_key")
    socket.curve_publickey = curve_key(public_key, "curve_public_key")
    socket.curve_secretkey = curve_key(secret_key, "curve_secret_key")
    return True


def get_plugin_socket(context, port, host=None, *, curve_server_key=None, curve_public_key=None,
                      curve_secret_key=None):
    """
    Create a ``zmq.REQ`` socket from ``context`` connected to ``tcp://host:port`` and return it.

    ``port`` is the TCP port the engine configured for this plugin. ``host`` defaults to
    :func:`default_host` (``$EVENT_ENGINE_HOST``, else ``127.0.0.1``), read at call time.

    CURVE (an addition; keyword-only): when the engine encrypts its endpoints, pass its public key
    as ``curve_server_key`` or let it come from ``$EVENT_ENGINE_CURVE_SERVER_KEY`` (set by the
    engine for the plugins it launches, so an unchanged plugin works); see :func:`configure_curve`.
    """
    if host is None:
        host = default_host()
    plugin_socket = context.socket(zmq.REQ)
    if configure_curve(plugin_socket, curve_server_key, curve_public_key, curve_secret_key):
        log.debug("plugin socket uses CURVE")
    plugin_socket_connect_str = f"tcp://{host}:{port}"
    plugin_socket.connect(plugin_socket_connect_str)
    log.debug("plugin socket connected to %s", plugin_socket_connect_str)
    return plugin_socket


def get_next_msg(socket, timeout=-1):
    """
    Get the next message for this plugin.

    Blocks until the next message is returned, or until ``timeout`` milliseconds have passed
    (``-1``, the default, waits forever). The timeout is set as the socket's ``RCVTIMEO`` and stays
    set. If it is reached before a message is ready, ``zmq.error.Again`` ("Resource temporarily
    unavailable") is raised; as in the original, the REQ socket then still waits for that reply and
    cannot send a new request (use :meth:`pyevents.EngineClient.next_event`, whose timeout is
    served by the engine, when you need to carry on after a timeout).

    Returns the raw bytes of the event frame (filter prefix included); they will typically need to
    be converted into the message format of your application.
    """
    log.debug("requesting the next message")
    socket.RCVTIMEO = timeout
    try:
        socket.send_string("plugin_command: next_msg")
    except Exception as e:
        log.error("got exception trying to send next_msg command; details: %s", e)
        raise
    data = socket.recv()
    log.debug("got the next message (%d bytes)", len(data))
    return data


def publish_msg(socket, data):
    """
    Publish a new message.

    ``data`` should be a raw byte array: the event frame, filter prefix included. Sending is retried
    every 0.1 s while zmq reports ``EAGAIN``, as in the original. Returns the reply from the engine
    as a string (``event-engine: msg published`` on success; anything else is logged as a warning).
    """
    while True:
        try:
            socket.send(data, zmq.NOBLOCK)
            break
        except zmq.ZMQError as e:
            if e.errno == zmq.EAGAIN:
                time.sleep(0.1)
            else:
                log.error("got exception trying to publish a new message; details: %s", e)
                raise
    # wait for the reply
    reply = socket.recv_string()
    if "event-engine: msg published" not in reply:
        log.warning("unexpected response from engine when trying to publish a message; response: %s", reply)
    return reply


def send_quit_command(socket):
    """
    Tell the engine that this plugin is going to terminate execution.

    Sends ``plugin_command: quit``; the engine sends no reply and none is awaited.
    """
    try:
        socket.send_string("plugin_command: quit")
    except Exception as e:
        log.error("got exception trying to send quit command; details: %s", e)
        raise
