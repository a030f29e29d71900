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

``get_next_msg`` fetches events in batches behind the scenes (the engine's fast mode, ``next_batch``; see
docs/protocol.md 2.3 and 2.4) and hands them out one by one: same order, same at-least-once rule (events handed
out and not yet acknowledged come again after a crash; a batch is acknowledged by the fetch of the next one,
never by a publication, so a plugin killed in the middle of a batch gets the whole batch again), ``timeout``
served by the engine. An unchanged plugin so receives dozens of times faster than with one round trip per event.
``PYEVENTS_NEXT_MSG_BATCH=0`` (read when a socket is first used) keeps the original one-``next_msg``-per-event
protocol; it is also used for a socket whose engine turns out not to know fast mode (the original Rust engine
publishes unknown requests: that first request then shows up there as an event, and a warning says so).

This module imports nothing from its package, so it works both as ``from events import ...``
(with the folder ``pyevents/pyevents`` on ``PYTHONPATH``) and as ``from pyevents.events import ...``.
For batching, timeouts that keep the connection usable, and MessagePack events see
:class:`pyevents.EngineClient`.
"""
import base64
import binascii
import collections
import logging
import os
import time
import weakref

import zmq
import zmq.utils.z85

__all__ = ["get_plugin_socket", "get_next_msg", "publish_msg", "send_quit_command",
           "default_host", "DEFAULT_HOST", "HOST_ENV", "CURVE_SERVER_KEY_ENV", "NEXT_MSG_BATCH_ENV",
           "DEFAULT_NEXT_MSG_BATCH", "configure_curve", "curve_key"]

log = logging.getLogger("pyevents.events")

#: Host used when neither the ``host`` argument nor ``EVENT_ENGINE_HOST`` is given.
DEFAULT_HOST = "127.0.0.1"
#: Environment variable naming the engine's host (set by the engine for plugins it launches).
HOST_ENV = "EVENT_ENGINE_HOST"
#: Environment variable with the engine's CURVE public key (Z85), set by the engine for the plugins it
#: launches when ``event-engine.security.curve`` is on.
CURVE_SERVER_KEY_ENV = "EVENT_ENGINE_CURVE_SERVER_KEY"
#: Environment variable: the most events ``get_next_msg`` fetches per request; ``0`` (or ``1``) speaks the original
#: protocol, one ``next_msg`` round trip per event. Read when a socket is first used.
NEXT_MSG_BATCH_ENV = "PYEVENTS_NEXT_MSG_BATCH"
#: Events ``get_next_msg`` fetches per request by default.
DEFAULT_NEXT_MSG_BATCH = 1000

_NEXT_MSG = b"plugin_command: next_msg"
_BATCH_HEADER = b"event-engine: batch "
_MSG_PUBLISHED = b"event-engine: msg published"
_MAX_WAIT_MS = 3_600_000   # the longest wait a next_batch request may carry
_REPLY_GRACE_MS = 1000     # beyond the wait, for the engine's reply to arrive before get_next_msg gives up


class _Fetched:
    """What ``get_next_msg`` fetched on one socket and has not handed out yet."""
    __slots__ = ("batch", "frames", "awaiting", "timeout")

    def __init__(self):
        try:
            self.batch = int(os.environ.get(NEXT_MSG_BATCH_ENV) or DEFAULT_NEXT_MSG_BATCH)
        except ValueError:
            raise ValueError(f"{NEXT_MSG_BATCH_ENV} must be a number of events (0: the original protocol)") from None
        self.batch = min(self.batch, 65536)
        self.frames = collections.deque()
        self.awaiting = False   # a fetch was sent and its reply has not been read (the caller's timeout ran out)
        self.timeout = None     # the RCVTIMEO get_next_msg set last


_fetched = weakref.WeakKeyDictionary()  # socket -> _Fetched


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
    unavailable") is raised. Unlike the original, the socket stays usable after that: the engine
    serves the wait and answers "nothing" (with ``PYEVENTS_NEXT_MSG_BATCH=0``, as in the original, the REQ
    socket then still waits for that reply and cannot send a new request).

    Events are fetched in batches and handed out one by one, in order (see the module's documentation).

    Returns the raw bytes of the event frame (filter prefix included); they will typically need to
    be converted into the message format of your application.
    """
    fetched = _fetched.get(socket)
    if fetched is None:
        fetched = _fetched[socket] = _Fetched()
    if fetched.frames:
        if fetched.timeout != timeout:  # setting it costs more than handing out an event
            socket.RCVTIMEO = fetched.timeout = timeout
        return fetched.frames.popleft()
    socket.RCVTIMEO = fetched.timeout = timeout  # before every request: the caller may have changed it
    if fetched.batch <= 1:
        return _next_msg(socket)
    deadline = None if timeout < 0 else time.monotonic() + timeout / 1000
    while True:
        if not fetched.awaiting:
            wait = None if deadline is None else min(_MAX_WAIT_MS, max(0, int((deadline - time.monotonic()) * 1000)))
            _send(socket, b"plugin_command: next_batch %d" % fetched.batch + (b"" if wait is None else b" %d" % wait))
            fetched.awaiting = True
        if deadline is not None and not socket.poll(max(0, int((deadline - time.monotonic()) * 1000)) + _REPLY_GRACE_MS):
            raise zmq.error.Again(zmq.EAGAIN)
        reply = socket.recv_multipart()
        fetched.awaiting = False
        header = reply[0]
        if len(reply) == 1 and header == _MSG_PUBLISHED:
            log.warning("the engine published the request for a batch instead of serving it: it does not know fast "
                        "mode (the original Rust engine?); this socket speaks the original protocol from now on "
                        "(%s=0 uses it from the start)", NEXT_MSG_BATCH_ENV)
            fetched.batch = 0
            return _next_msg(socket)
        if not header.startswith(_BATCH_HEADER):
            return header  # a refusal ("event-engine: bad msg: ..."): the original hands the reply out as it is
        if header[len(_BATCH_HEADER):] != b"%d" % (len(reply) - 1):
            raise RuntimeError(f"unexpected reply to next_batch: {header[:40]!r} and {len(reply) - 1} event frame(s)")
        fetched.frames.extend(reply[1:])
        log.debug("fetched a batch of %d event(s)", len(reply) - 1)
        if fetched.frames:
            return fetched.frames.popleft()
        if deadline is not None and time.monotonic() >= deadline:
            raise zmq.error.Again(zmq.EAGAIN)


def _send(socket, request):
    try:
        socket.send(request)
    except Exception as e:
        log.error("got exception trying to send a %s command; details: %s", request.split(b" ")[1].decode(), e)
        raise


def _next_msg(socket):
    """The original protocol: one ``next_msg`` round trip per event."""
    log.debug("requesting the next message")
    _send(socket, _NEXT_MSG)
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

    Sends ``plugin_command: quit``; the engine sends no reply and none is awaited. Events fetched
    and not handed out end with the session, like the events still queued in the engine.
    """
    fetched = _fetched.pop(socket, None)
    if fetched is not None and fetched.frames:
        log.warning("quitting with %d fetched event(s) not handed out; they end with the session", len(fetched.frames))
    _send(socket, b"plugin_command: quit")
