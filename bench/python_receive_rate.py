#!/usr/bin/python3
"""
How fast a Python plugin receives events from EventEngine.Actors, in one run, three ways:

1. ``pure pyzmq``: a REQ <-> REP loop, Python on both ends (the REP in a child process answers each
   request with one 200-byte frame) -- the ceiling of any one-event-per-round-trip protocol;
2. ``original``: the original protocol through the engine (``get_next_msg`` of ``pyevents.events``);
3. ``fast mode``: ``pyevents.EngineClient.events(batch=...)`` (``next_batch`` requests, multipart replies),
   and the same requests from bare pyzmq (what the client library itself costs).

For 2 and 3 it starts the engine from the built bench dll (bench/EventEngine.GatewayBench), which publishes
the events once the plugin has connected; the rate is counted from the first event received to the last, and
every event is checked (count and size). Run from the repository root after ``dotnet build -c Release``::

    PYTHONPATH=pyevents /usr/bin/python3 bench/python_receive_rate.py
"""
import argparse
import pathlib
import shutil
import subprocess
import sys
import time

import zmq

from pyevents import EngineClient
from pyevents.events import get_next_msg, get_plugin_socket, send_quit_command

ROOT = pathlib.Path(__file__).resolve().parents[1]
SIZE = 200


def rep_server(port_holder_path):
    """Child process: a REP socket answering every request with one SIZE-byte frame until 'stop'."""
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    print(port, flush=True)
    frame = b"Bench" + b"x" * (SIZE - 5)
    while True:
        if rep.recv() == b"stop":
            rep.send(b"bye")
            return
        rep.send(frame)


def pure_pyzmq(count):
    server = subprocess.Popen([sys.executable, __file__, "--rep-server"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        ctx = zmq.Context()
        req = ctx.socket(zmq.REQ)
        req.connect(f"tcp://127.0.0.1:{port}")
        req.send(b"plugin_command: next_msg")
        req.recv()  # warm up, connected
        start = time.perf_counter()
        for _ in range(count):
            req.send(b"plugin_command: next_msg")
            assert len(req.recv()) == SIZE
        elapsed = time.perf_counter() - start
        req.send(b"stop")
        req.recv()
        req.close(linger=0)
        ctx.term()
        return count / elapsed
    finally:
        server.wait(timeout=10)


class Engine:
    """The bench engine process, publishing ``events`` events once the plugin connects."""

    def __init__(self, dll, events):
        self.proc = subprocess.Popen([shutil.which("dotnet") or "dotnet", str(dll), "--events", str(events),
                                      "--size", str(SIZE)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "ready":
            raise SystemExit(f"bench engine did not start: {line}")
        self.port = int(line[1])

    def close(self):
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def original(dll, count):
    engine = Engine(dll, count)
    try:
        ctx = zmq.Context()
        sock = get_plugin_socket(ctx, engine.port, host="127.0.0.1")
        assert len(get_next_msg(sock)) == SIZE
        start = time.perf_counter()
        for _ in range(count - 1):
            assert len(get_next_msg(sock)) == SIZE
        elapsed = time.perf_counter() - start
        send_quit_command(sock)
        sock.close(linger=2000)
        ctx.term()
        return (count - 1) / elapsed
    finally:
        engine.close()


def fast(dll, count, batch):
    engine = Engine(dll, count)
    try:
        with EngineClient(engine.port, host="127.0.0.1") as client:
            received = 0
            start = None
            for frame in client.events(batch=batch):
                if start is None:
                    start = time.perf_counter()
                if len(frame) != SIZE:
                    raise SystemExit(f"bad frame of {len(frame)} bytes")
                received += 1
                if received == count:
                    break
            elapsed = time.perf_counter() - start
        return (count - 1) / elapsed
    finally:
        engine.close()


def fast_raw(dll, count, batch):
    """Fast mode with bare pyzmq (no pyevents): how much of the time is the client library's."""
    engine = Engine(dll, count)
    try:
        ctx = zmq.Context()
        sock = ctx.socket(zmq.REQ)
        sock.connect(f"tcp://127.0.0.1:{engine.port}")
        request = b"plugin_command: next_batch %d" % batch
        total, timed, start = 0, 0, None
        while total < count:
            sock.send(request)
            frames = sock.recv_multipart()
            if any(len(f) != SIZE for f in frames[1:]):
                raise SystemExit("bad frame")
            total += len(frames) - 1
            if start is None:  # the clock starts at the first event, as for the other modes
                start, timed = time.perf_counter(), len(frames) - 2
            else:
                timed += len(frames) - 1
        elapsed = time.perf_counter() - start
        sock.send(b"plugin_command: quit")
        sock.close(linger=2000)
        ctx.term()
        return timed / elapsed
    finally:
        engine.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rep-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--configuration", default="Release")
    parser.add_argument("--round-trips", type=int, default=20_000, help="round trips of the pure pyzmq loop and the original protocol")
    parser.add_argument("--events", type=int, default=1_000_000, help="events received in fast mode")
    parser.add_argument("--batch", type=int, default=1000, help="max events per next_batch")
    args = parser.parse_args()
    if args.rep_server:
        return rep_server(None)
    dll = ROOT / "bench" / "EventEngine.GatewayBench" / "bin" / args.configuration / "net10.0" / "EventEngine.GatewayBench.dll"
    if not dll.exists():
        raise SystemExit(f"{dll} not found: dotnet build -c {args.configuration} bench/EventEngine.GatewayBench")
    base = pure_pyzmq(args.round_trips)
    print(f"pure pyzmq REQ<->REP loop : {base:>10,.0f} events/s ({args.round_trips} round trips, {SIZE}-byte frames)", flush=True)
    orig = original(dll, args.round_trips)
    print(f"original protocol (engine): {orig:>10,.0f} events/s ({args.round_trips} events, get_next_msg)", flush=True)
    quick = fast(dll, args.events, args.batch)
    print(f"fast mode (engine)        : {quick:>10,.0f} events/s ({args.events} events, EngineClient.events(batch={args.batch}))", flush=True)
    raw = fast_raw(dll, args.events, args.batch)
    print(f"fast mode, bare pyzmq     : {raw:>10,.0f} events/s ({args.events} events, next_batch {args.batch}, recv_multipart)", flush=True)
    print(f"fast mode / pure pyzmq loop = {quick / base:.1f}x (bare pyzmq client: {raw / base:.1f}x); original / pure loop = {orig / base:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
