"""
A small in-process stand-in for the engine's gateway (one plugin session on a REP socket), used by
the unit tests to exercise pyevents without the C# engine. It follows docs/protocol.md: original
commands, fast mode, server-side waits and acknowledgement by the next request.
"""
import collections
import re
import threading
import time

import zmq

from pyevents import protocol as p

_NEXT_MSG_WAIT = re.compile(rb"plugin_command: next_msg (\d+)\Z")
_NEXT_BATCH = re.compile(rb"plugin_command: next_batch (\d+)(?: (\d+))?\Z")


class FakeEngine:
    """
    Serve one plugin session on ``tcp://127.0.0.1:<port>`` from a background thread.

    ``subscriptions``: prefixes the plugin is subscribed to (events pushed with :meth:`push` or
    published by the plugin itself are queued for it when they match). ``reject``: reply
    ``bad msg: <reject>`` to every publication. ``silent``: never reply (an engine that hangs).
    ``curve_secret_key``: be a CURVE server with this secret key (Z85).
    """

    def __init__(self, subscriptions=(b"",), reject=None, silent=False, port=None, curve_secret_key=None):
        self.subscriptions = [bytes(s) for s in subscriptions]
        self.reject = reject
        self.silent = silent
        self.requests = []            # every request received, as a list of frames
        self.published = []           # every event published by the plugin
        self.acked = 0                # events acknowledged by a later request
        self.quit = threading.Event()
        self._queue = collections.deque()
        self._unacked = 0
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

    def push(self, *frames):
        """Queue events for the plugin (as if published by some other plugin)."""
        with self._lock:
            self._queue.extend(bytes(f) for f in frames)

    def close(self):
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

    def _take(self, n):
        with self._lock:
            out = [self._queue.popleft() for _ in range(min(n, len(self._queue)))]
        self._unacked = len(out)
        return out

    def _run(self):
        waiting = None  # (kind, max, deadline or None) while serving a wait
        while not self._stop.is_set():
            if waiting is not None:
                kind, n, deadline = waiting
                frames = self._take(n)
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
            self.acked += self._unacked          # any request acknowledges the previous reply
            self._unacked = 0
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
        if frame.startswith(p.PUBLISH_BATCH_HEADER):
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
