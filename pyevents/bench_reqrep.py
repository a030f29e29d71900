#!/usr/bin/python3
"""
Baseline: pure pyzmq REQ <-> REP round trips over TCP on 127.0.0.1, Python on both ends.

It measures what the engine's plugin protocol costs before any engine is involved, so gateway
numbers can be compared with it. The REP side runs in a child process (its own interpreter, no
shared GIL) and answers each request the way the gateway would:

- ``--mode fetch`` (default): the request is ``plugin_command: next_batch <k>``; the reply is the
  header frame ``event-engine: batch <k>`` followed by k event frames of ``--size`` bytes
  (k = ``--events``; with ``--events 1 --single`` the reply is one bare frame, like ``next_msg``).
- ``--mode publish``: the request is one ``publish_batch`` frame holding k length-prefixed events
  of ``--size`` bytes (or, with ``--single``, one bare event frame); the reply is one short frame.

Prints round trips/s and events/s, e.g.::

    /usr/bin/python3 pyevents/bench_reqrep.py --count 20000 --events 1 --single
    /usr/bin/python3 pyevents/bench_reqrep.py --count 2000 --events 1000 --mode publish
"""
import argparse
import socket
import struct
import subprocess
import sys
import time

import zmq

STOP = b"bench: stop"


def serve(port, mode, events, size, single, idle_timeout_ms):
    """The REP side: answer until STOP, or give up after ``idle_timeout_ms`` without a request."""
    ctx = zmq.Context()
    rep = ctx.socket(zmq.REP)
    rep.linger = 0
    rep.bind(f"tcp://127.0.0.1:{port}")
    event = b"TypeA" + b"x" * max(0, size - 5)
    if mode == "fetch":
        reply = [event] if single else [b"event-engine: batch %d" % events] + [event] * events
    else:
        reply = [b"event-engine: msg published" if single else b"event-engine: batch published %d" % events]
    print("ready", flush=True)
    try:
        while rep.poll(idle_timeout_ms):
            request = rep.recv()
            if request == STOP:
                rep.send(b"bye")
                return 0
            rep.send_multipart(reply, copy=False)
        print("bench server: no request for a while, giving up", file=sys.stderr)
        return 1
    finally:
        rep.close()
        ctx.term()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args):
    port = args.port or free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--mode", args.mode,
                               "--events", str(args.events), "--size", str(args.size)]
                              + (["--single"] if args.single else []),
                              stdout=subprocess.PIPE, text=True)
    ctx = zmq.Context()
    req = ctx.socket(zmq.REQ)
    req.linger = 0
    req.rcvtimeo = 30_000  # never hang: the server answers in microseconds
    try:
        line = server.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"bench server did not start (said {line!r})")
        req.connect(f"tcp://127.0.0.1:{port}")
        event = b"TypeA" + b"x" * max(0, args.size - 5)
        if args.mode == "fetch":
            request = b"plugin_command: next_msg" if args.single else b"plugin_command: next_batch %d" % args.events
        elif args.single:
            request = event
        else:
            request = (b"plugin_command: publish_batch\n"
                       + (struct.pack(">I", len(event)) + event) * args.events)
        for _ in range(min(1000, args.count)):  # warm-up
            req.send(request)
            req.recv_multipart()
        started = time.perf_counter()
        for _ in range(args.count):
            req.send(request)
            req.recv_multipart()
        elapsed = time.perf_counter() - started
        req.send(STOP)
        req.recv()
    finally:
        req.close()
        ctx.term()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        server.stdout.close()
    per_trip = 1 if args.single else args.events
    print(f"mode={args.mode} single={args.single} events/trip={per_trip} size={args.size} count={args.count}")
    print(f"round trips/s: {args.count / elapsed:,.0f}")
    print(f"events/s: {args.count * per_trip / elapsed:,.0f}")
    print(f"us/round trip: {elapsed / args.count * 1e6:.1f}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=20000, help="timed round trips (default 20000)")
    parser.add_argument("--mode", choices=["fetch", "publish"], default="fetch")
    parser.add_argument("--events", type=int, default=1, help="events per round trip (default 1)")
    parser.add_argument("--single", action="store_true", help="bare single-frame messages (next_msg / one publish)")
    parser.add_argument("--size", type=int, default=100, help="bytes per event frame (default 100)")
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count < 1 or args.events < 1 or args.size < 1 or (args.single and args.events != 1):
        parser.error("--count, --events and --size must be >= 1, and --single needs --events 1")
    if args.serve is not None:
        return serve(args.serve, args.mode, args.events, args.size, args.single, idle_timeout_ms=60_000)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
