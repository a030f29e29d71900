"""
Test your plugin without the engine: :class:`FakeEngine` serves one plugin session on a loopback
port from a background thread, speaking the engine's protocol (``docs/protocol.md``: the original
commands, fast mode, server-side waits, explicit acknowledgement), and the pytest fixture
``fake_engine`` (in :mod:`pyevents.pytest_plugin`) starts and stops one per test.

Example::

    from pyevents import EngineClient
    from pyevents.testing import FakeEngine

    with FakeEngine(subscriptions=["Order"]) as engine:
        engine.push_event(Order(order_id="a1", qty=3))            # or push_event("Order", {...})
        with EngineClient(engine.port) as client:
            my_plugin(client)
        assert engine.published_events(types) == [Shipped(order_id="a1")]

It is a test double, not an engine: one session, no flow control, no start-up barrier.
"""
from __future__ import annotations

import collections
import re
import threading
import time
from typing import Any

import zmq

from . import protocol as p
from .typed import EventTypes

__all__ = ["FakeEngine"]

_NEXT_MSG_WAIT = re.compile(rb"plugin_command: next_msg (\d+)\Z")
# a fake engine traces nothing: it accepts the traceparents flag and replies without them (docs/protocol.md)
_NEXT_BATCH = re.compile(rb"plugin_command: next_batch (\d+)(?: (\d+))?(?: traceparents)?\Z")
_ACK = re.compile(rb"plugin_command: ack(?: (\d+))?\Z")


class FakeEngine:
    """
    Serve one plugin session on ``tcp://127.0.0.1:<port>`` (default: an ephemeral port, see
    :attr:`port`) from a background thread; use it as a context manager or call :meth:`close`.

    ``subscriptions``: filter prefixes (str or bytes) the plugin is subscribed to (events pushed
    with :meth:`push`/:meth:`push_event` or published by the plugin itself are queued for it when
    they match; default: everything). ``reject``: reply ``bad msg: <reject>`` to every
    publication. ``silent``: never reply (an engine that hangs). ``curve_secret_key``: be a CURVE
    server with this secret key (Z85).

    What the plugin did: :attr:`published` (event frames), :attr:`requests` (every request's
    frames), :attr:`acked` (events acknowledged), :attr:`quit` (a ``threading.Event`` set on
    ``quit``).
    """

    def __init__(self, subscriptions=(b"",), reject: str | None = None, silent: bool = False,
                 port: int | None = None, curve_secret_key: str | bytes | None = None) -> None:
        self.subscriptions = [p.filter_bytes(s) if s else b"" for s in subscriptions]
        self.reject = reject
        self.silent = silent
        self.requests: list[list[bytes]] = []  # every request received, as a list of frames
        self.published: list[bytes] = []       # every event published by the plugin
        self.acked = 0                # events acknowledged by a later request
        self.quit = threading.Event()
        self._queue: collections.deque[bytes] = collections.deque()
        self._unacked = 0
        self._explicit_ack = False    # the last batch came from a fast-mode fetch
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ctx = zmq.Context()
        self._sock = self._ctx.socket(zmq.REP)
        self._sock.linger = 0
        if curve_secret_key is not None:  # a CURVE server, as the engine with event-engine.security.curve on
            self._sock.curve_server = True
            self._sock.curve_secretkey = curve_secret_key
        if port is None:
            self.port = self._sock.bind_to_random_port("tcp://127.0.0.1")
        else:
            self._sock.bind(f"tcp://127.0.0.1:{port}")
            self.port = port
        self._thread = threading.Thread(target=self._run, name="fake-engine", daemon=True)
        self._thread.start()

    # -------------------------------------------------------------- test side

    def push(self, *frames: bytes) -> None:
        """Queue event frames for the plugin (as if published by some other plugin)."""
        with self._lock:
            self._queue.extend(bytes(f) for f in frames)

    def push_event(self, type_or_value: Any, value: Any = None, types: EventTypes | None = None) -> None:
        """
        Queue one MessagePack event: ``push_event(Order(...))`` (a dataclass; its type name
        inferred, fields renamed as for C#) or ``push_event("Order", {"Id": "a1"})``.
        """
        if value is None:
            types = types if types is not None and type(type_or_value) in types else EventTypes(type(type_or_value))
            self.push(types.encode(type_or_value))
        else:
            self.push(p.filter_bytes(type_or_value) + (types or EventTypes()).encode_payload(value))

    def published_events(self, types: EventTypes) -> list[Any]:
        """What the plugin published, decoded with ``types`` (frames no type matches stay bytes)."""
        return [types.decode(f) for f in list(self.published)]

    def wait_for(self, condition, timeout: float = 10.0) -> None:
        """Wait until ``condition()`` is true; ``AssertionError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout} s; published: {self.published[-5:]}")
            time.sleep(0.005)

    @property
    def queued(self) -> int:
        """Events waiting for the plugin (not yet handed out)."""
        with self._lock:
            return len(self._queue)

    def close(self) -> None:
        """Stop serving and close the socket."""
        self._stop.set()
        self._thread.join(timeout=10)
        assert not self._thread.is_alive(), "fake engine thread did not stop"
        self._sock.close(linger=0)
        self._ctx.term()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -------------------------------------------------------------- engine side

    def _matches(self, frame):
        return any(frame.startswith(s) for s in self.subscriptions)

    def _publish(self, frame):
        self.published.append(frame)
        if self._matches(frame):
            with self._lock:
                self._queue.append(frame)

    def _take(self, n, explicit_ack):
        with self._lock:
            out = [self._queue.popleft() for _ in range(min(n, len(self._queue)))]
        self._unacked = len(out)
        self._explicit_ack = explicit_ack
        return out

    def _acknowledge(self, n):
        self.acked += n
        self._unacked -= n

    def _run(self):
        waiting = None  # (kind, max, deadline or None) while serving a wait
        while not self._stop.is_set():
            if waiting is not None:
                kind, n, deadline = waiting
                frames = self._take(n, explicit_ack=kind == "batch" or deadline is not None)
                if frames or (deadline is not None and time.monotonic() >= deadline):
                    if kind == "msg":
                        self._sock.send(frames[0] if frames else p.TIMEOUT_REPLY)
                    else:
                        self._sock.send_multipart([b"event-engine: batch %d" % len(frames)] + frames)
                    waiting = None
                    continue
                self._stop.wait(0.002)
                continue
            if not self._sock.poll(10):
                continue
            request = self._sock.recv_multipart()
            self.requests.append(request)
            fetch = len(request) == 1 and (request[0].startswith(p.NEXT_MSG) or request[0].startswith(p.COMMAND_PREFIX + b"next_batch"))
            if fetch or not self._explicit_ack:  # after a fast-mode fetch only a fetch, ack or quit acknowledges
                self._acknowledge(self._unacked)
            if self.silent:
                self._stop.wait()               # never reply
                break
            waiting = self._handle(request)
            if waiting is not None and waiting[2] is not None:
                waiting = (waiting[0], waiting[1], time.monotonic() + waiting[2] / 1000)

    def _handle(self, request):
        if len(request) != 1:
            self._sock.send(b"event-engine: bad msg: expected one frame")
            return None
        frame = request[0]
        if frame == p.QUIT:
            self._acknowledge(self._unacked)
            self.quit.set()
            return None  # REP would now need a reply; the session is over, nothing more is read
        if frame == p.NEXT_MSG:
            return ("msg", 1, None)
        m = _NEXT_MSG_WAIT.match(frame)
        if m:
            return ("msg", 1, int(m.group(1)))
        m = _NEXT_BATCH.match(frame)
        if m:
            n = int(m.group(1))
            wait = None if m.group(2) is None else int(m.group(2))
            if not 1 <= n <= p.MAX_BATCH or (wait is not None and wait > p.MAX_WAIT_MS):
                self._sock.send(b"event-engine: bad msg: next_batch argument out of range")
                return None
            return ("batch", n, wait)
        m = _ACK.match(frame)
        if m:
            n = self._unacked if m.group(1) is None else int(m.group(1))
            if n > self._unacked:
                self._sock.send(b"event-engine: bad msg: cannot acknowledge %d event(s): %d are unacknowledged"
                                % (n, self._unacked))
            else:
                self._acknowledge(n)
                self._sock.send(p.ACKED_PREFIX + b"%d" % n)
            return None
        if frame.startswith((p.PUBLISH_BATCH_HEADER, p.PUBLISH_BATCH_HEADER[:-1] + b" ")):  # with a traceparent or not
            try:
                frames = p.decode_publish_batch(frame)
            except ValueError as e:
                self._sock.send(b"event-engine: bad msg: " + str(e).encode())
                return None
            if self.reject:
                self._sock.send(b"event-engine: bad msg: " + self.reject.encode())
                return None
            for f in frames:
                self._publish(f)
            self._sock.send(b"event-engine: batch published %d" % len(frames))
            return None
        if frame.startswith(p.COMMAND_PREFIX):
            verb = frame[len(p.COMMAND_PREFIX):].split(b" ")[0]
            self._sock.send(b"event-engine: bad msg: unknown command '" + verb + b"'")
            return None
        if self.reject:
            self._sock.send(b"event-engine: bad msg: " + self.reject.encode())
            return None
        self._publish(frame)
        self._sock.send(p.MSG_PUBLISHED)
        return None
