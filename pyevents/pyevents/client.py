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


def _resolve_port(port: int | str | None) -> int:
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


def _check_optional_seconds(name: str, value: float | None) -> float | None:
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
        self.last: bytes | None = None  # the event taken last
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
        if out:
            self.last = out[-1]
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


class ClientCore:
    """
    What :class:`EngineClient` and :class:`~pyevents.aio.AsyncEngineClient` share: their options,
    their batch state, and every step that builds or checks bytes. The two subclasses only add the
    socket calls (blocking or awaited).
    """

    _context_class: Any = zmq.Context

    def __init__(self, port: int | str | None = None, host: str | None = None, name: str | None = None, *,
                 context: zmq.Context | None = None, reply_timeout: float | None = 30.0,
                 publish_timeout: float | None = None, wait_slice: float = 10.0, reconnect: bool = False,
                 max_backoff: float = 5.0, types: Any = None, linger: float = 2.0,
                 batch_max_events: int = 1000, batch_max_bytes: int = 1 << 20,
                 curve_server_key: str | bytes | None = None, curve_public_key: str | bytes | None = None,
                 curve_secret_key: str | bytes | None = None, trace: bool = False) -> None:
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
        self.trace = bool(trace)
        self.endpoint = f"tcp://{self.host}:{self.port}"
        self._curve_keys = (curve_server_key, curve_public_key, curve_secret_key)
        self._context = context if context is not None else self._context_class.instance()
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

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<{type(self).__name__} {self.name!r} {self.endpoint} {state}>"

    @property
    def closed(self) -> bool:
        """True once the client was closed (it cannot be used again)."""
        return self._socket is None

    @property
    def traceparent(self) -> str | None:
        """
        The W3C traceparent of the event taken last (``trace=True``): the engine's publish span of
        that event, to continue its trace (pass it to ``publish(..., traceparent=)``, or extract it
        with an OpenTelemetry propagator); None when the engine did not trace it.
        """
        return getattr(self._batch.last, "traceparent", None)

    @property
    def buffered(self) -> int:
        """Events already received from the engine and not yet handed to the caller."""
        return len(self._batch.pending)

    def _live_socket(self) -> zmq.Socket:
        if self._socket is None:
            raise ClientClosedError(f"client {self.name!r} is closed")
        if self._awaiting:
            raise PyEventsError("a previous request was interrupted before its reply arrived; "
                                "close() this client and connect a new one")
        return self._socket

    def _limit(self, wait_ms: int) -> float | None:
        return None if self.reply_timeout is None else wait_ms / 1000 + self.reply_timeout

    def _poll_ms(self, limit: float | None) -> int | None:
        return None if limit is None else max(1, int(limit * 1000))

    def _no_reply(self, sock: zmq.Socket, frame: bytes, limit: float | None, reconnect: bool, backoff: float) -> float:
        """
        No reply within ``limit``: drop the connection (the batch is handed out again to the next
        one). Raises :class:`EngineTimeout` unless ``reconnect``; else returns the backoff to sleep
        before connecting again.
        """
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
        return backoff

    def _next_backoff(self, backoff: float) -> float:
        return min(backoff * 2, self.max_backoff)

    def _deadline(self, timeout: float | None) -> float | None:
        return None if timeout is None else time.monotonic() + p.wait_ms(timeout) / 1000

    def _fetch_request(self, max_events: int, deadline: float | None, single: bool) -> tuple[bytes, int]:
        """The next slice of a wait for events: the request and the wait (ms) it asks of the engine."""
        remaining = self._slice_ms if deadline is None else p.wait_ms(max(0.0, deadline - time.monotonic()))
        wait = min(self._slice_ms, remaining)
        if single and not self.trace:
            return p.next_msg_request(wait), wait
        return p.next_batch_request(max_events, wait, self.trace), wait

    def _fetched(self, reply: list[bytes] | None, deadline: float | None, single: bool) -> bool:
        """Take a fetch's reply (it acknowledged the previous batch); True when the wait is over."""
        if single and not self.trace:
            frame = self._one_frame(reply, "next_msg")
            frames = [] if frame == p.TIMEOUT_REPLY else [frame]
            for f in frames:
                p.check_bad_msg(f)
        else:
            frames = p.parse_batch_reply(reply or [], self.trace)
        self._batch.fetched(frames)
        return bool(frames) or (deadline is not None and time.monotonic() >= deadline)

    @staticmethod
    def _one_frame(reply: list[bytes] | None, what: str) -> bytes:
        if reply is None or len(reply) != 1:
            raise ProtocolError(f"expected a one-frame reply to {what}, got {0 if reply is None else len(reply)} frames")
        return reply[0]

    def _check_iteration(self, batch: int, timeout: float | None) -> None:
        p._check_int("batch", batch, 1, p.MAX_BATCH)
        if timeout is not None:
            p.wait_ms(timeout)
        self._live_socket()

    def _ack_request(self) -> bytes | None:
        n = self._batch.finished_unacked
        return p.ack_request(n) if n else None

    def _acked(self, reply: list[bytes] | None) -> int:
        """Check the reply to ``ack`` (None: the client reconnected instead; nothing left to ack)."""
        if reply is None:
            return 0
        n = self._batch.finished_unacked
        acked = p.parse_acked_reply(self._one_frame(reply, "ack"))
        if acked != n:
            raise ProtocolError(f"engine acknowledged {acked} of {n} events")
        self._batch.acked(n)
        return n

    def _abandon_message(self, why: str) -> None:
        unacked = "the event(s) of an interrupted request" if self._awaiting else f"{self._batch.unacked} event(s)"
        log.warning("[%s] %s: closing without quit; the engine hands %s not acknowledged to the next connection",
                    self.name, why, unacked)

    def _quit_warning(self) -> None:
        if self._batch.pending:
            log.warning("[%s] quitting with %d received events not taken; they are dropped",
                        self.name, len(self._batch.pending))

    @staticmethod
    def _publish_request(frame: bytes, traceparent: str | bytes | None) -> bytes:
        """One event as a request: the frame itself, or with a traceparent a ``publish_batch`` of one."""
        frame = p.check_publishable(frame)
        return frame if traceparent is None else p.encode_publish_batch([frame], traceparent)

    def _check_published(self, reply: bytes, traceparent: str | bytes | None = None) -> None:
        if traceparent is not None:
            self._check_batch_published(reply, [reply])
            return
        p.check_bad_msg(reply)
        if reply != p.MSG_PUBLISHED:
            raise ProtocolError(f"unexpected reply to a publication: {reply[:80]!r}")

    def _chunks(self, frames: Iterable[bytes]) -> Iterator[list[bytes]]:
        """Split frames into ``publish_batch`` requests of at most batch_max_events / batch_max_bytes."""
        chunk: list[bytes] = []
        size = 0
        for frame in frames:
            frame = p.check_publishable(frame)
            if chunk and (len(chunk) >= self.batch_max_events or size + len(frame) + 4 > self.batch_max_bytes):
                yield chunk
                chunk, size = [], 0
            chunk.append(frame)
            size += len(frame) + 4
        if chunk:
            yield chunk

    @staticmethod
    def _check_batch_published(reply: bytes, chunk: list[bytes]) -> int:
        n = p.parse_batch_published_reply(reply)
        if n != len(chunk):
            raise ProtocolError(f"engine published {n} of a batch of {len(chunk)} events")
        return n

    def _event_frame(self, type_or_value: Any, value: Any, filter: str | bytes | None) -> bytes:
        """The frame ``publish_event`` sends (see :meth:`EngineClient.publish_event`)."""
        if value is _NO_VALUE:
            value = type_or_value
            types = self.types if self.types is not None and type(value) in self.types else EventTypes(type(value))
            return types.encode(value) if filter is None else p.filter_bytes(filter) + types.encode_payload(value)
        if not isinstance(type_or_value, str) or not type_or_value:
            raise ValueError("the type name must be a non-empty str")
        naming = self.types.naming if self.types is not None else pascal_case
        if hasattr(value, "_asdict"):
            value = value._asdict()
        payload = msgpack.packb(to_wire(value, naming, type_or_value), use_bin_type=True, datetime=True)
        return p.filter_bytes(type_or_value if filter is None else filter) + payload

    def _typed(self) -> EventTypes:
        if self.types is None:
            raise ValueError(f"typed_events needs {type(self).__name__}(types=EventTypes(...))")
        return self.types


class EngineClient(ClientCore):
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
        trace: ask the engine for the W3C traceparent of each event (fast mode): events are then
            :class:`~pyevents.protocol.TracedFrame` objects (bytes with ``.traceparent``) and
            :attr:`traceparent` is that of the event taken last. ``publish*(..., traceparent=)``
            continues a trace whether or not this is set.

    Acknowledgement (fast mode): the events of a batch are acknowledged when the client fetches
    the next batch (the caller has finished the whole batch), or by :meth:`ack`; a publication
    acknowledges nothing. Leaving a ``with`` block because of an exception (``KeyboardInterrupt``
    included) acknowledges the events the caller had finished and closes **without** ``quit``, so
    the engine hands the others out again to the next connection (at-least-once); a clean exit
    quits.
    """

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abandon(f"leaving the block on {exc_type.__name__}")

    def __iter__(self) -> Iterator[Any]:
        """
        ``for event in client:`` iterates over every event, fetched in batches, for ever:
        :meth:`typed_events` when the client has ``types``, else :meth:`events` (raw frames).
        """
        return self.typed_events() if self.types is not None else self.events()

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
                self._quit_warning()
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
        self._abandon_message(why)
        self.close(quit=False)

    # ------------------------------------------------------------------ requests

    def _request(self, frame: bytes, limit: float | None, *, reconnect: bool | None = None) -> list[bytes] | None:
        """
        Send one request frame; return the reply's frames. ``limit``: seconds, or None (forever).
        Returns ``None`` when the request was an ``ack`` and the client reconnected instead (the
        new connection gets the unacknowledged events again, so there is nothing left to ack).
        """
        sock = self._live_socket()
        reconnect = self.reconnect if reconnect is None else reconnect
        backoff = 0.1
        while True:
            sock.send(frame)
            self._awaiting = True
            if sock.poll(self._poll_ms(limit), zmq.POLLIN):
                reply = sock.recv_multipart()
                self._awaiting = False
                return reply
            time.sleep(self._no_reply(sock, frame, limit, reconnect, backoff))
            backoff = self._next_backoff(backoff)
            sock = self._socket = self._connect()
            if frame.startswith(p.ACK):
                return None

    def _request_one(self, frame: bytes, limit: float | None) -> bytes:
        return self._one_frame(self._request(frame, limit), repr(frame[:40]))

    def _fetch(self, max_events: int, timeout: float | None, single: bool) -> None:
        """
        Ask the engine for events in bounded slices until some come or ``timeout`` (seconds; None:
        for ever) has passed. Each request acknowledges the previous batch, which the caller has
        finished (nothing of it is left in the buffer).
        """
        deadline = self._deadline(timeout)
        while True:
            request, wait = self._fetch_request(max_events, deadline, single)
            if self._fetched(self._request(request, self._limit(wait)), deadline, single):
                return

    # ------------------------------------------------------------------ receiving

    def next_event(self, timeout: float | None = None) -> bytes | None:
        """
        Return the next event frame (filter prefix included); the events taken before count as
        finished.

        With ``timeout`` (seconds, >= 0) return ``None`` if no event came within it; without, wait
        as long as it takes. The engine serves the wait (``next_msg <wait_ms>``, in slices), so
        the connection stays usable after a timeout.
        """
        self._check_iteration(1, timeout)
        self._batch.finish_taken()
        if not self._batch.pending:
            self._fetch(1, timeout, single=True)
        taken = self._batch.take(1)
        return taken[0] if taken else None

    def next_batch(self, max_events: int = 1000, timeout: float | None = None) -> list[bytes]:
        """
        Return up to ``max_events`` (1..65536) event frames: buffered ones if any, else one
        ``next_batch`` request's worth; the events taken before count as finished. With
        ``timeout`` (seconds) return ``[]`` if no event came within it; without, wait until at
        least one event exists.
        """
        p._check_int("max_events", max_events, 1, p.MAX_BATCH)
        self._check_iteration(max_events, timeout)
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

    def _iterate(self, batch: int, timeout: float | None, per_event: bool) -> Iterator[Any]:
        while self._socket is not None:
            self._batch.finish_taken()
            if not self._batch.pending:
                self._fetch(batch, timeout, single=False)
                if not self._batch.pending:
                    return
            yield self._batch.take(1)[0] if per_event else self._batch.take(batch)

    def typed_events(self, batch: int = 1000, timeout: float | None = None) -> Iterator[Any]:
        """
        :meth:`events`, each frame decoded with the ``types`` registry: an instance of the
        registered dataclass its filter matches, or the raw frame (bytes) when none does.
        """
        return self._typed().decoded(self.events(batch, timeout))

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
        request = self._ack_request()
        return 0 if request is None else self._acked(self._request(request, self._limit(0), reconnect=reconnect))

    # ------------------------------------------------------------------ publishing

    def publish(self, frame: bytes, traceparent: str | bytes | None = None) -> None:
        """
        Publish one event frame (filter + payload, exactly as subscribers will receive it). It
        acknowledges nothing. With a W3C ``traceparent`` (for example :attr:`traceparent` of the
        event being handled) the engine's publish span continues that trace (sent as a
        ``publish_batch`` of one event).

        Raises ``ValueError`` for an empty frame, one starting with ``plugin_command: `` or a
        malformed traceparent, and :class:`EngineError` if the engine refuses it.
        """
        self._check_published(self._request_one(self._publish_request(frame, traceparent), self.publish_timeout),
                              traceparent)

    def publish_many(self, frames: Iterable[bytes], traceparent: str | bytes | None = None) -> int:
        """
        Publish event frames in order with ``publish_batch`` requests (at most
        ``batch_max_events`` events and about ``batch_max_bytes`` bytes each); return how many were
        published. Each request is all-or-nothing; if one fails, the earlier ones stay published.
        With a W3C ``traceparent`` every event's publish span continues that trace.
        """
        return sum(self._check_batch_published(
            self._request_one(p.encode_publish_batch(chunk, traceparent), self.publish_timeout), chunk)
            for chunk in self._chunks(frames))

    def publish_event(self, type_or_value: Any, value: Any = _NO_VALUE, filter: str | bytes | None = None,
                      traceparent: str | bytes | None = None) -> None:
        """
        Publish an event as the engine's C# codec reads the record.

        ``publish_event(Shipped(...))``: a dataclass instance; its type name (and filter) is
        inferred (from the ``types`` registry if it has the class, else its class name), its
        fields are renamed to C# property names and its values converted (Decimal, UUID, datetime,
        date, Enum), in its class's codec (see :class:`~pyevents.typed.EventTypes`).
        ``publish_event("Order", value)``: an explicit type name; ``value`` is a dataclass
        (converted the same way) or a dict, sent with its keys as they are, as MessagePack.
        ``filter`` overrides the filter (default: the type name); ``traceparent`` as for :meth:`publish`.
        """
        self.publish(self._event_frame(type_or_value, value, filter), traceparent)


#: The same class under the name plugin authors may expect.
Plugin = EngineClient
