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
from typing import Any

import msgpack
import zmq

from . import protocol as p
from .errors import ClientClosedError, EngineTimeout, ProtocolError, PyEventsError
from .events import configure_curve, default_host
from .typed import EventTypes, pascal_case, to_wire

_NO_VALUE: Any = object()

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


def _as_registry(types: Any) -> EventTypes | None:
    if types is None or isinstance(types, EventTypes):
        return types
    return EventTypes(*types)


def _check_optional_seconds(name, value):
    if value is not None:
        p.wait_ms(value)  # validates
    return value


class BatchState:
    """
    The events of the last batch the engine handed out, as the client sees them: buffered (not yet
    taken by the caller), taken, finished (the caller asked for more after taking them) and
    acknowledged with ``ack``. The engine acknowledges the whole batch at the next fetch.
    """

    def __init__(self) -> None:
        self.pending: collections.deque[bytes] = collections.deque()
        self.reset()

    def reset(self) -> None:
        self.pending.clear()
        self.size = self.taken = self.finished = self.acknowledged = 0

    def fetched(self, frames: list[bytes]) -> None:
        """A fetch acknowledged the previous batch and brought ``frames``."""
        self.reset()
        self.pending.extend(frames)
        self.size = len(frames)

    def take(self, n: int) -> list[bytes]:
        out = [self.pending.popleft() for _ in range(min(n, len(self.pending)))]
        self.taken += len(out)
        return out

    def finish_taken(self) -> None:
        self.finished = self.taken

    def acked(self, n: int) -> None:
        self.acknowledged += n

    @property
    def finished_unacked(self) -> int:
        return self.finished - self.acknowledged

    @property
    def unacked(self) -> int:
        return self.size - self.acknowledged


class EngineClient:
    """
    A connection of one external plugin to the engine (a ``zmq.REQ`` socket on its plugin port).

    Args:
        port: the plugin's TCP port; default ``$EVENT_ENGINE_PORT`` (required if that is unset).
        host: the engine's host; default ``$EVENT_ENGINE_HOST``, else ``127.0.0.1``.
        name: the plugin's name, used in log messages; default ``$EVENT_ENGINE_PLUGIN``, else ``plugin``.
        context: the zmq context; default the process-wide ``zmq.Context.instance()``.
        reply_timeout: seconds to wait for a reply beyond the wait the engine itself was asked to
            serve; ``None`` waits forever. Every wait for events is asked of the engine in slices of
            at most ``wait_slice`` seconds, so a dead or hung engine is noticed within
            ``wait_slice + reply_timeout`` even by a call without a timeout. When it expires,
            :class:`EngineTimeout` is raised and the client is closed, unless ``reconnect``.
        publish_timeout: the same limit for publish replies, which the engine may delay on purpose
            (flow control, when its subscribers are behind); default ``None``: wait forever.
        wait_slice: the longest wait (seconds) one request asks the engine to serve.
        reconnect: when no reply came within the limit, open a new connection (after a backoff
            that doubles up to ``max_backoff`` seconds, each attempt logged) and send the request
            again: the new connection takes over the plugin's session and gets its unacknowledged
            events again. A publication is sent again too (at-least-once publishing).
        types: an :class:`~pyevents.typed.EventTypes` registry (or the dataclasses to build one):
            :meth:`typed_events` decodes with it and :meth:`publish_event` infers type names from it.
        linger: seconds ``close`` lets queued requests (such as ``quit``) reach the engine.
        batch_max_events, batch_max_bytes: how ``publish_many`` splits frames into requests.
        curve_server_key: the engine's CURVE public key when it encrypts its endpoints
            (``event-engine.security.curve``); default ``$EVENT_ENGINE_CURVE_SERVER_KEY`` (set by the
            engine for the plugins it launches); without one the connection is plain ZMTP.
        curve_public_key, curve_secret_key: this client's CURVE key pair; default a fresh one (the
            engine does not authenticate clients by key: NetMQ has no ZAP).

    Acknowledgement (fast mode): the events of a batch are acknowledged when the client fetches
    the next batch (the caller has finished the whole batch), or by :meth:`ack`; a publication
    acknowledges nothing. Leaving a ``with`` block because of an exception (``KeyboardInterrupt``
    included) acknowledges the events the caller had finished and closes **without** ``quit``, so
    the engine hands the others out again to the next connection (at-least-once); a clean exit
    quits.
    """

    def __init__(self, port: int | str | None = None, host: str | None = None, name: str | None = None, *,
                 context: zmq.Context | None = None, reply_timeout: float | None = 30.0,
                 publish_timeout: float | None = None, wait_slice: float = 10.0, reconnect: bool = False,
                 max_backoff: float = 5.0, types: Any = None, linger: float = 2.0,
                 batch_max_events: int = 1000, batch_max_bytes: int = 1 << 20,
                 curve_server_key: str | bytes | None = None, curve_public_key: str | bytes | None = None,
                 curve_secret_key: str | bytes | None = None) -> None:
        self.port = _resolve_port(port)
        self.host = host or default_host()
        self.name = name or os.environ.get(PLUGIN_ENV) or "plugin"
        self.reply_timeout = _check_optional_seconds("reply_timeout", reply_timeout)
        self.publish_timeout = _check_optional_seconds("publish_timeout", publish_timeout)
        self._slice_ms = p._check_int("wait_slice (ms)", p.wait_ms(wait_slice), 1, p.MAX_WAIT_MS)
        self.reconnect = bool(reconnect)
        self.max_backoff = p.wait_ms(max_backoff) / 1000
        self.types = _as_registry(types)
        self.linger = p.wait_ms(linger) / 1000
        self.batch_max_events = p._check_int("batch_max_events", batch_max_events, 1, 1 << 24)
        self.batch_max_bytes = p._check_int("batch_max_bytes", batch_max_bytes, 1, 1 << 31)
        self.endpoint = f"tcp://{self.host}:{self.port}"
        self._curve_keys = (curve_server_key, curve_public_key, curve_secret_key)
        self._context = context if context is not None else zmq.Context.instance()
        self._batch = BatchState()
        self._awaiting = False  # a request was sent and its reply not yet received
        self._socket: zmq.Socket | None = None
        self._socket = self._connect()

    def _connect(self) -> zmq.Socket:
        sock = self._context.socket(zmq.REQ)
        try:
            self.curve = configure_curve(sock, *self._curve_keys)
        except BaseException:
            sock.close(linger=0)
            raise
        sock.connect(self.endpoint)
        log.debug("[%s] connected to %s", self.name, self.endpoint)
        return sock

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> bool:
        if exc_type is None:
            self.close()
        else:
            self.abandon(f"leaving the block on {exc_type.__name__}")
        return False

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<EngineClient {self.name!r} {self.endpoint} {state}>"

    def __iter__(self) -> Iterator[Any]:
        """
        ``for event in client:`` iterates over every event, fetched in batches, for ever:
        :meth:`typed_events` when the client has ``types``, else :meth:`events` (raw frames).
        """
        return self.typed_events() if self.types is not None else self.events()

    @property
    def closed(self) -> bool:
        """True once the client was closed (it cannot be used again)."""
        return self._socket is None

    @property
    def buffered(self) -> int:
        """Events already received from the engine and not yet handed to the caller."""
        return len(self._batch.pending)

    def quit(self) -> None:
        """Send ``plugin_command: quit`` (ending this plugin's session) and close the client."""
        self.close(quit=True)

    def close(self, quit: bool = True) -> None:
        """
        Close the connection; with ``quit`` (the default) first tell the engine this plugin is done.

        ``quit`` acknowledges every event handed out so far, including buffered ones the caller
        never took (they are dropped, with a warning). Without ``quit`` the engine keeps this
        plugin's session and hands its unacknowledged events to the next connection. With ``quit``
        and a reply still outstanding (an interrupted call), the reply is awaited for at most
        ``linger`` seconds so that ``quit`` can be sent; otherwise the socket is closed without it.
        Idempotent.
        """
        sock = self._socket
        if sock is None:
            return
        try:
            if quit and self._awaiting:
                if sock.poll(int(self.linger * 1000), zmq.POLLIN):
                    stale = sock.recv_multipart()
                    self._awaiting = False
                    log.warning("[%s] discarded a reply that was not taken (%d frames)", self.name, len(stale))
                else:
                    log.warning("[%s] no reply to an interrupted request; closing without quit", self.name)
            if quit and not self._awaiting:
                if self._batch.pending:
                    log.warning("[%s] quitting with %d received events not taken; they are dropped",
                                self.name, len(self._batch.pending))
                sock.send(p.QUIT)
                log.debug("[%s] sent quit", self.name)
        finally:
            self._batch.reset()
            self._socket = None
            sock.close(linger=int(self.linger * 1000) if quit else 0)

    def abandon(self, why: str = "abandoned") -> None:
        """
        Close **without** ``quit`` after a failure: acknowledge the events the caller finished (if
        the connection allows one more request) and leave the rest to the engine, which hands them
        out again to the next connection on this port (and restarts the process if it launched
        it). ``with`` calls this when its block raises. Idempotent.
        """
        if self._socket is None:
            return
        if not self._awaiting and self._batch.finished_unacked:
            try:
                self._ack_finished(reconnect=False)
            except (PyEventsError, zmq.ZMQError) as e:
                log.warning("[%s] could not acknowledge the finished events (%s)", self.name, e)
        unacked = "the event(s) of an interrupted request" if self._awaiting else f"{self._batch.unacked} event(s)"
        log.warning("[%s] %s: closing without quit; the engine hands %s not acknowledged to the next connection",
                    self.name, why, unacked)
        self.close(quit=False)

    # ------------------------------------------------------------------ requests

    def _live_socket(self) -> zmq.Socket:
        if self._socket is None:
            raise ClientClosedError(f"client {self.name!r} is closed")
        return self._socket

    def _request(self, frame: bytes, limit: float | None, *, reconnect: bool | None = None) -> list[bytes] | None:
        """
        Send one request frame; return the reply's frames. ``limit``: seconds, or None (forever).
        Returns ``None`` when the request was an ``ack`` and the client reconnected instead (the
        new connection gets the unacknowledged events again, so there is nothing left to ack).
        """
        sock = self._live_socket()
        if self._awaiting:
            raise PyEventsError("a previous request was interrupted before its reply arrived; "
                                "close() this client and connect a new one")
        reconnect = self.reconnect if reconnect is None else reconnect
        backoff = 0.1
        while True:
            sock.send(frame)
            self._awaiting = True
            if sock.poll(None if limit is None else max(1, int(limit * 1000)), zmq.POLLIN):
                reply = sock.recv_multipart()
                self._awaiting = False
                return reply
            self._awaiting = False
            self._batch.reset()
            self._socket = None
            sock.close(linger=0)
            if not reconnect:
                log.error("[%s] no reply from %s within %.1f s; closing the connection", self.name, self.endpoint, limit)
                raise EngineTimeout(f"no reply from the engine at {self.endpoint} within {limit:.1f} s "
                                    f"(request {frame[:40]!r}); the client is closed")
            log.warning("[%s] no reply from %s within %.1f s; reconnecting in %.1f s", self.name, self.endpoint,
                        limit, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, self.max_backoff)
            sock = self._socket = self._connect()
            if frame.startswith(p.ACK):
                return None

    def _request_one(self, frame: bytes, limit: float | None) -> bytes:
        reply = self._request(frame, limit)
        assert reply is not None
        if len(reply) != 1:
            raise ProtocolError(f"expected a one-frame reply to {frame[:40]!r}, got {len(reply)} frames")
        return reply[0]

    def _limit(self, wait_ms: int) -> float | None:
        return None if self.reply_timeout is None else wait_ms / 1000 + self.reply_timeout

    def _fetch(self, max_events: int, timeout: float | None, single: bool) -> list[bytes]:
        """
        Ask the engine for events in bounded slices until some come or ``timeout`` (seconds; None:
        for ever) has passed. The request acknowledges the previous batch, which the caller has
        finished (nothing of it is left in the buffer).
        """
        deadline = None if timeout is None else time.monotonic() + p.wait_ms(timeout) / 1000
        while True:
            remaining = self._slice_ms if deadline is None else p.wait_ms(max(0.0, deadline - time.monotonic()))
            wait = min(self._slice_ms, remaining)
            if single:
                reply = self._request_one(p.next_msg_request(wait), self._limit(wait))
                frames = [] if reply == p.TIMEOUT_REPLY else [reply]
                for frame in frames:
                    p.check_bad_msg(frame)
            else:
                frames = p.parse_batch_reply(self._request(p.next_batch_request(max_events, wait),
                                                           self._limit(wait)) or [])
            self._batch.fetched(frames)
            if frames or (deadline is not None and time.monotonic() >= deadline):
                return frames

    # ------------------------------------------------------------------ receiving

    def next_event(self, timeout: float | None = None) -> bytes | None:
        """
        Return the next event frame (filter prefix included); the events taken before count as
        finished.

        With ``timeout`` (seconds, >= 0) return ``None`` if no event came within it; without, wait
        as long as it takes. The engine serves the wait (``next_msg <wait_ms>``, in slices), so
        the connection stays usable after a timeout.
        """
        self._live_socket()
        if timeout is not None:
            p.wait_ms(timeout)
        self._batch.finish_taken()
        if not self._batch.pending and not self._fetch(1, timeout, single=True):
            return None
        return self._batch.take(1)[0]

    def next_batch(self, max_events: int = 1000, timeout: float | None = None) -> list[bytes]:
        """
        Return up to ``max_events`` (1..65536) event frames: buffered ones if any, else one
        ``next_batch`` request's worth; the events taken before count as finished. With
        ``timeout`` (seconds) return ``[]`` if no event came within it; without, wait until at
        least one event exists.
        """
        p._check_int("max_events", max_events, 1, p.MAX_BATCH)
        self._live_socket()
        self._batch.finish_taken()
        if not self._batch.pending:
            self._fetch(max_events, timeout, single=False)
        return self._batch.take(max_events)

    def events(self, batch: int = 1000, timeout: float | None = None) -> Iterator[bytes]:
        """
        Iterate over event frames, fetching up to ``batch`` (1..65536) per request (fast mode). An
        event counts as finished when the loop asks for the next one.

        With ``timeout`` (seconds) the iteration ends when no event came within that long;
        without, it never ends by itself (break out of the loop, or close the client). Breaking
        out loses nothing: the rest of the current batch stays buffered for the next call.
        """
        self._check_iteration(batch, timeout)
        return self._iterate(batch, timeout, per_event=True)

    def batches(self, batch: int = 1000, timeout: float | None = None) -> Iterator[list[bytes]]:
        """
        Iterate over batches of event frames (lists of at most ``batch``). A batch counts as
        finished, and is acknowledged, when the loop asks for the next one; if the loop body
        raises, the client (in a ``with`` block) closes without ``quit`` and the engine hands the
        whole batch out again. ``timeout`` as for :meth:`events`.
        """
        self._check_iteration(batch, timeout)
        return self._iterate(batch, timeout, per_event=False)

    def _check_iteration(self, batch: int, timeout: float | None) -> None:
        p._check_int("batch", batch, 1, p.MAX_BATCH)
        if timeout is not None:
            p.wait_ms(timeout)
        self._live_socket()

    def _iterate(self, batch: int, timeout: float | None, per_event: bool) -> Iterator[Any]:
        while self._socket is not None:
            self._batch.finish_taken()
            if not self._batch.pending and not self._fetch(batch, timeout, single=False):
                return
            if per_event:
                yield self._batch.take(1)[0]
            else:
                yield self._batch.take(batch)

    def ack(self) -> int:
        """
        Acknowledge every event handed to the caller so far (``plugin_command: ack <n>``): they
        will not be handed out again, even if the process dies before its next fetch. Returns how
        many events this acknowledged (0 without a request when there were none).
        """
        self._live_socket()
        self._batch.finish_taken()
        return self._ack_finished()

    def _ack_finished(self, reconnect: bool | None = None) -> int:
        n = self._batch.finished_unacked
        if not n:
            return 0
        reply = self._request(p.ack_request(n), self._limit(0), reconnect=reconnect)
        if reply is None:
            return 0
        if len(reply) != 1:
            raise ProtocolError(f"expected a one-frame reply to ack, got {len(reply)} frames")
        acked = p.parse_acked_reply(reply[0])
        if acked != n:
            raise ProtocolError(f"engine acknowledged {acked} of {n} events")
        self._batch.acked(n)
        return n

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

    def publish_event(self, type_or_value: Any, value: Any = _NO_VALUE, filter: str | bytes | None = None) -> None:
        """
        Publish an event as MessagePack, the way the engine's C# codec reads the record.

        ``publish_event(Shipped(...))``: a dataclass instance; its type name (and filter) is
        inferred (from the ``types`` registry if it has the class, else its class name, see
        :class:`~pyevents.typed.EventTypes`), its fields are renamed to C# property names and its
        values converted (Decimal, UUID, datetime, date, Enum). ``publish_event("Order", value)``:
        an explicit type name; ``value`` is a dataclass (converted the same way) or a dict, sent
        with its keys as they are. ``filter`` overrides the filter (default: the type name).
        """
        if value is _NO_VALUE:
            value = type_or_value
            types = self.types if self.types is not None and type(value) in self.types else EventTypes(type(value))
            frame = types.encode(value) if filter is None else p.filter_bytes(filter) + types.encode_payload(value)
        else:
            if not isinstance(type_or_value, str) or not type_or_value:
                raise ValueError("the type name must be a non-empty str")
            naming = self.types.naming if self.types is not None else pascal_case
            payload = msgpack.packb(to_wire(value if not hasattr(value, "_asdict") else value._asdict(), naming,
                                            type_or_value), use_bin_type=True, datetime=True)
            frame = p.filter_bytes(type_or_value if filter is None else filter) + payload
        self.publish(frame)

    def typed_events(self, batch: int = 1000, timeout: float | None = None) -> Iterator[Any]:
        """
        :meth:`events`, each frame decoded with the ``types`` registry: an instance of the
        registered dataclass its filter matches, or the raw frame (bytes) when none does.
        """
        if self.types is None:
            raise ValueError("typed_events needs EngineClient(types=EventTypes(...))")
        return self.types.decoded(self.events(batch, timeout))


#: The same class under the name plugin authors may expect.
Plugin = EngineClient
