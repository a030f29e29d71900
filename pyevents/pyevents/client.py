"""
The high-level client of a registered external plugin: one REQ connection to the engine's plugin
port, speaking the original protocol plus the fast mode (see ``docs/protocol.md``).

Example::

    from pyevents import EngineClient

    with EngineClient() as client:              # host/port from EVENT_ENGINE_HOST / EVENT_ENGINE_PORT
        for frame in client.events(batch=1000, timeout=5.0):
            name, value = decode_event(frame, ["Order", "Cancel"])
            ...
            client.publish_event("Shipped", {"Id": value["Id"]})
    # leaving the block sends ``plugin_command: quit``

A client is not thread-safe: use it from one thread (or guard it with a lock).
"""
from __future__ import annotations

import collections
import logging
import os
import time
from collections.abc import Iterable, Iterator

import zmq

from . import protocol as p
from .errors import ClientClosedError, EngineTimeout, ProtocolError, PyEventsError
from .events import configure_curve, default_host

__all__ = ["EngineClient", "Plugin", "PORT_ENV", "PLUGIN_ENV"]

log = logging.getLogger("pyevents.client")

#: Environment variable with the plugin's session port (set by the engine for plugins it launches).
PORT_ENV = "EVENT_ENGINE_PORT"
#: Environment variable with the plugin's registered name (set by the engine for plugins it launches).
PLUGIN_ENV = "EVENT_ENGINE_PLUGIN"


def _resolve_port(port):
    if port is None:
        port = os.environ.get(PORT_ENV)
        if not port:
            raise ValueError(f"no plugin port: pass port= or set {PORT_ENV}")
        source = PORT_ENV
    else:
        source = "port"
    if isinstance(port, str):
        if not port.strip().isdigit():
            raise ValueError(f"{source} must be a TCP port number, got {port!r}")
        port = int(port)
    if isinstance(port, bool) or not isinstance(port, int):
        raise TypeError(f"port must be an int, not {type(port).__name__}")
    if not 1 <= port <= 65535:
        raise ValueError(f"port must be in 1..65535, got {port}")
    return port


def _check_optional_seconds(name, value):
    if value is not None:
        p.wait_ms(value)  # validates
    return value


class EngineClient:
    """
    A connection of one external plugin to the engine (a ``zmq.REQ`` socket on its plugin port).

    Args:
        port: the plugin's TCP port; default ``$EVENT_ENGINE_PORT`` (required if that is unset).
        host: the engine's host; default ``$EVENT_ENGINE_HOST``, else ``127.0.0.1``.
        name: the plugin's name, used in log messages; default ``$EVENT_ENGINE_PLUGIN``, else ``plugin``.
        context: the zmq context; default the process-wide ``zmq.Context.instance()``.
        reply_timeout: seconds to wait for a reply beyond the wait the engine itself was asked to
            serve (for ``next_event``/``events``/``next_batch`` with a ``timeout``); ``None`` waits
            forever. When it expires the engine is taken to be gone: :class:`EngineTimeout` is
            raised and the client is closed. Requests without a timeout wait forever.
        publish_timeout: the same limit for publish replies, which the engine may delay on purpose
            (flow control, when its subscribers are behind); default ``None``: wait forever.
        linger: seconds ``close`` lets queued requests (such as ``quit``) reach the engine.
        batch_max_events, batch_max_bytes: how ``publish_many`` splits frames into requests.
        curve_server_key: the engine's CURVE public key when it encrypts its endpoints
            (``event-engine.security.curve``); default ``$EVENT_ENGINE_CURVE_SERVER_KEY`` (set by the
            engine for the plugins it launches); without one the connection is plain ZMTP.
        curve_public_key, curve_secret_key: this client's CURVE key pair; default a fresh one (the
            engine does not authenticate clients by key: NetMQ has no ZAP).

    Acknowledgement: events handed out by one reply are acknowledged (delivered for good) when the
    next request of any kind reaches the engine. Events of a batch that the caller has not taken yet
    stay buffered in the client and are returned first by ``next_event``/``events``/``next_batch``.
    If the process dies before its next request, the engine hands the unacknowledged events out
    again to the next connection (at-least-once).
    """

    def __init__(self, port=None, host=None, name=None, *, context=None, reply_timeout=30.0,
                 publish_timeout=None, linger=2.0, batch_max_events=1000, batch_max_bytes=1 << 20,
                 curve_server_key=None, curve_public_key=None, curve_secret_key=None):
        self.port = _resolve_port(port)
        self.host = host or default_host()
        self.name = name or os.environ.get(PLUGIN_ENV) or "plugin"
        self.reply_timeout = _check_optional_seconds("reply_timeout", reply_timeout)
        self.publish_timeout = _check_optional_seconds("publish_timeout", publish_timeout)
        self.linger = p.wait_ms(linger) / 1000
        self.batch_max_events = p._check_int("batch_max_events", batch_max_events, 1, 1 << 24)
        self.batch_max_bytes = p._check_int("batch_max_bytes", batch_max_bytes, 1, 1 << 31)
        self.endpoint = f"tcp://{self.host}:{self.port}"
        self._context = context if context is not None else zmq.Context.instance()
        self._pending: collections.deque[bytes] = collections.deque()
        self._awaiting = False  # a request was sent and its reply not yet received
        self._socket = self._context.socket(zmq.REQ)
        try:
            self.curve = configure_curve(self._socket, curve_server_key, curve_public_key, curve_secret_key)
        except BaseException:
            self._socket.close(linger=0)
            raise
        self._socket.connect(self.endpoint)
        log.debug("[%s] connected to %s", self.name, self.endpoint)

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<EngineClient {self.name!r} {self.endpoint} {state}>"

    @property
    def closed(self) -> bool:
        """True once the client was closed (it cannot be used again)."""
        return self._socket is None

    @property
    def buffered(self) -> int:
        """Events already received from the engine and not yet handed to the caller."""
        return len(self._pending)

    def quit(self):
        """Send ``plugin_command: quit`` (ending this plugin's session) and close the client."""
        self.close(quit=True)

    def close(self, quit=True):
        """
        Close the connection; with ``quit`` (the default) first tell the engine this plugin is done.

        ``quit`` acknowledges every event handed out so far, including buffered ones the caller
        never took (they are dropped, with a warning). Without ``quit`` the engine keeps this
        plugin's session and hands its unacknowledged events to the next connection. If a reply
        is still outstanding (an interrupted call), it is awaited for at most ``linger`` seconds
        so that ``quit`` can be sent; otherwise the socket is closed without it. Idempotent.
        """
        sock = self._socket
        if sock is None:
            return
        try:
            if self._awaiting:
                if sock.poll(int(self.linger * 1000), zmq.POLLIN):
                    stale = sock.recv_multipart()
                    self._awaiting = False
                    log.warning("[%s] discarded a reply that was not taken (%d frames)", self.name, len(stale))
                else:
                    log.warning("[%s] no reply to an interrupted request; closing without quit", self.name)
            if quit and not self._awaiting:
                if self._pending:
                    log.warning("[%s] quitting with %d received events not taken; they are dropped",
                                self.name, len(self._pending))
                sock.send(p.QUIT)
                log.debug("[%s] sent quit", self.name)
        finally:
            self._pending.clear()
            self._socket = None
            sock.close(linger=int(self.linger * 1000))

    # ------------------------------------------------------------------ requests

    def _live_socket(self):
        if self._socket is None:
            raise ClientClosedError(f"client {self.name!r} is closed")
        return self._socket

    def _request(self, frame: bytes, limit) -> list[bytes]:
        """Send one request frame; return the reply's frames. ``limit``: seconds, or None (forever)."""
        sock = self._live_socket()
        if self._awaiting:
            raise PyEventsError("a previous request was interrupted before its reply arrived; "
                                "close() this client and connect a new one")
        sock.send(frame)
        self._awaiting = True
        if not sock.poll(None if limit is None else max(1, int(limit * 1000)), zmq.POLLIN):
            log.error("[%s] no reply from %s within %.1f s; closing the connection", self.name, self.endpoint, limit)
            self._awaiting = False
            self._pending.clear()
            self._socket = None
            sock.close(linger=0)
            raise EngineTimeout(f"no reply from the engine at {self.endpoint} within {limit:.1f} s "
                                f"(request {frame[:40]!r}); the client is closed")
        reply = sock.recv_multipart()
        self._awaiting = False
        return reply

    def _request_one(self, frame: bytes, limit) -> bytes:
        reply = self._request(frame, limit)
        if len(reply) != 1:
            raise ProtocolError(f"expected a one-frame reply to {frame[:40]!r}, got {len(reply)} frames")
        return reply[0]

    def _waits(self, timeout):
        """Yield the server-side waits (ms) serving ``timeout`` seconds, in chunks of at most an hour."""
        remaining = p.wait_ms(timeout)
        while True:
            chunk = min(remaining, p.MAX_WAIT_MS)
            remaining -= chunk
            yield chunk, remaining == 0

    def _limit(self, wait):
        return None if self.reply_timeout is None else wait / 1000 + self.reply_timeout

    # ------------------------------------------------------------------ receiving

    def next_event(self, timeout=None) -> bytes | None:
        """
        Return the next event frame (filter prefix included).

        With ``timeout`` (seconds, >= 0) return ``None`` if no event came within it; the engine
        serves the wait (``next_msg <wait_ms>``), so the connection stays usable. Without a
        timeout, wait as long as it takes (the original ``next_msg``).
        """
        self._live_socket()
        if self._pending:
            return self._pending.popleft()
        if timeout is None:
            reply = self._request_one(p.NEXT_MSG, None)
        else:
            for wait, last in self._waits(timeout):
                reply = self._request_one(p.next_msg_request(wait), self._limit(wait))
                if reply != p.TIMEOUT_REPLY:
                    break
                if last:
                    return None
        p.check_bad_msg(reply)
        return reply

    def next_batch(self, max_events=1000, timeout=None) -> list[bytes]:
        """
        Return up to ``max_events`` (1..65536) event frames: buffered ones if any, else one
        ``next_batch`` request's worth. With ``timeout`` (seconds) return ``[]`` if no event came
        within it; without, wait until at least one event exists.
        """
        p._check_int("max_events", max_events, 1, p.MAX_BATCH)
        self._live_socket()
        if not self._pending:
            self._pending.extend(self._fetch_batch(max_events, timeout))
        n = min(max_events, len(self._pending))
        return [self._pending.popleft() for _ in range(n)]

    def _fetch_batch(self, max_events, timeout) -> list[bytes]:
        if timeout is None:
            return p.parse_batch_reply(self._request(p.next_batch_request(max_events), None))
        for wait, last in self._waits(timeout):
            frames = p.parse_batch_reply(self._request(p.next_batch_request(max_events, wait), self._limit(wait)))
            if frames or last:
                return frames
        return []  # not reached

    def events(self, batch=1000, timeout=None) -> Iterator[bytes]:
        """
        Iterate over event frames, fetching up to ``batch`` (1..65536) per request (fast mode).

        With ``timeout`` (seconds) the iteration ends when no event came within that long;
        without, it never ends by itself (break out of the loop, or close the client). Breaking
        out loses nothing: the rest of the current batch stays buffered for the next call.
        """
        p._check_int("batch", batch, 1, p.MAX_BATCH)
        if timeout is not None:
            p.wait_ms(timeout)
        self._live_socket()
        return self._iterate(batch, timeout)

    def _iterate(self, batch, timeout):
        while True:
            while self._pending:
                yield self._pending.popleft()
            if self._socket is None:
                return
            frames = self._fetch_batch(batch, timeout)
            if not frames:
                return
            self._pending.extend(frames)

    # ------------------------------------------------------------------ publishing

    def publish(self, frame: bytes) -> None:
        """
        Publish one event frame (filter + payload, exactly as subscribers will receive it).

        Raises ``ValueError`` for an empty frame or one starting with ``plugin_command: ``, and
        :class:`EngineError` if the engine refuses it.
        """
        frame = p.check_publishable(frame)
        reply = self._request_one(frame, self.publish_timeout)
        p.check_bad_msg(reply)
        if reply != p.MSG_PUBLISHED:
            raise ProtocolError(f"unexpected reply to a publication: {reply[:80]!r}")

    def publish_many(self, frames: Iterable[bytes]) -> int:
        """
        Publish event frames in order with ``publish_batch`` requests (at most
        ``batch_max_events`` events and about ``batch_max_bytes`` bytes each); return how many were
        published. Each request is all-or-nothing; if one fails, the earlier ones stay published.
        """
        total = 0
        chunk: list[bytes] = []
        size = 0
        for frame in frames:
            frame = p.check_publishable(frame)
            if chunk and (len(chunk) >= self.batch_max_events or size + len(frame) + 4 > self.batch_max_bytes):
                total += self._publish_chunk(chunk)
                chunk, size = [], 0
            chunk.append(frame)
            size += len(frame) + 4
        if chunk:
            total += self._publish_chunk(chunk)
        return total

    def _publish_chunk(self, chunk):
        reply = self._request_one(p.encode_publish_batch(chunk), self.publish_timeout)
        n = p.parse_batch_published_reply(reply)
        if n != len(chunk):
            raise ProtocolError(f"engine published {n} of a batch of {len(chunk)} events")
        return n

    def publish_event(self, type_name: str, value, filter=None) -> None:
        """
        Publish ``value`` (a dict, dataclass, namedtuple or object) as an event of the C# type
        ``type_name``: the frame is the filter (default ``type_name``) followed by a MessagePack map
        keyed by property name, which the engine's contract-less MessagePack codec reads into the
        record with those property names (keys are case-sensitive).
        """
        self.publish(p.encode_event(type_name, value, filter))


#: The same class under the name plugin authors may expect.
Plugin = EngineClient
