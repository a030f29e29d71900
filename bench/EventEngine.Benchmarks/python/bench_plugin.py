#!/usr/bin/python3
"""
The Python side of the EventEngine.Actors benchmarks (bench/EventEngine.Benchmarks): an external plugin that
connects to its port (``--port``, else ``$EVENT_ENGINE_PORT``) and measures one thing, then quits.

Modes:
  recv-original  ``--count`` events with the original helper (``get_next_msg``) speaking the original protocol
                 (``PYEVENTS_NEXT_MSG_BATCH=0``, set by the bench: one ``next_msg`` round trip each)
  recv-original-api  the same code with this pyevents' default: ``get_next_msg`` fetches batches behind the scenes
  recv-fast      ``--count`` events with the fast mode (``EngineClient.next_batch``: ``next_batch <batch>``)
  pub-original   publishes ``--count`` frames of ``--size`` bytes with ``publish_msg`` (one round trip each)
  pub-fast       the same with ``EngineClient.publish_many`` (``publish_batch``, ``--batch`` events per request)
  latency        receives ``--count`` probe frames (``<filter><seq> <monotonic ns> <padding>``) with ``next_batch``
                 and measures latency from the probe's intended send time to the handler (CLOCK_MONOTONIC on both
                 sides), skipping ``--skip``; ``--dump FILE`` writes every latency for the bench's HdrHistogram

Prints one line ``bench-result {json}``: events, and the rate of the events after the first reply (the engine holds
that one until its start-up barrier has passed) over the time from the first reply to the last; for latency the
percentiles in microseconds.
"""
import argparse
import json
import os
import sys
import time

import zmq

from pyevents import EngineClient
from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command

PERCENTILES = [50, 90, 99, 99.9, 99.99]


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[index]


def frame_of(filter_bytes, size):
    return filter_bytes + b"X" * max(0, size - len(filter_bytes))


def recv_original(port, count):
    context = zmq.Context()
    socket = get_plugin_socket(context, port)
    first = None
    received = 0
    for _ in range(count):
        get_next_msg(socket)
        received += 1
        if first is None:
            first = time.perf_counter()
    last = time.perf_counter()
    send_quit_command(socket)
    socket.close(linger=2000)
    context.term()
    return received, received - 1, last - first


def recv_fast(port, count, batch):
    first = None
    received = timed = 0
    with EngineClient(port, reply_timeout=60.0) as client:
        while received < count:
            frames = client.next_batch(min(batch, count - received))
            received += len(frames)
            if first is None:
                first = time.perf_counter()  # the first reply starts the clock
            else:
                timed += len(frames)
        last = time.perf_counter()
    return received, timed, last - first


def pub_original(port, count, frame):
    context = zmq.Context()
    socket = get_plugin_socket(context, port)
    first = None
    for _ in range(count):
        publish_msg(socket, frame)
        if first is None:
            first = time.perf_counter()
    last = time.perf_counter()
    send_quit_command(socket)
    socket.close(linger=2000)
    context.term()
    return count, count - 1, last - first


def pub_fast(port, count, frame, batch):
    with EngineClient(port, batch_max_events=batch, reply_timeout=60.0) as client:
        client.publish(frame)  # the first reply (held until the engine has started) starts the clock
        first = time.perf_counter()
        client.publish_many(frame for _ in range(count - 1))
        last = time.perf_counter()
    return count, count - 1, last - first


def latency(port, count, skip, batch, filter_bytes, dump=None):
    offset = len(filter_bytes)
    latencies = [0] * count
    received = 0
    with EngineClient(port, reply_timeout=60.0) as client:
        while received < count:
            frames = client.next_batch(batch)
            now = time.monotonic_ns()
            for frame in frames:
                seq, stamp, _ = frame[offset:].split(b" ", 2)
                latencies[int(seq)] = now - int(stamp)
            received += len(frames)
    if dump:
        with open(dump, "w") as out:
            out.write("\n".join(str(v) for v in latencies))
    measured = sorted(latencies[skip:])
    return received, {f"p{p:g}_us": percentile(measured, p) / 1000.0 for p in PERCENTILES} | {
        "max_us": (measured[-1] if measured else 0) / 1000.0}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["recv-original", "recv-original-api", "recv-fast", "pub-original", "pub-fast", "latency"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("EVENT_ENGINE_PORT", "0")))
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--size", type=int, default=200, help="bytes per published frame (filter included)")
    parser.add_argument("--filter", default="BenchEvt", help="filter of published frames / of latency probes")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--skip", type=int, default=0, help="latency: warm-up events left out of the percentiles")
    parser.add_argument("--dump", help="latency: also write every latency (ns, in sequence order, one per line) to this file")
    args = parser.parse_args(argv)
    if args.port <= 0:
        parser.error("no port: pass --port or set EVENT_ENGINE_PORT")
    filter_bytes = args.filter.encode("ascii")
    extra = {}
    if args.mode in ("recv-original", "recv-original-api"):
        events, timed, seconds = recv_original(args.port, args.count)
    elif args.mode == "recv-fast":
        events, timed, seconds = recv_fast(args.port, args.count, args.batch)
    elif args.mode == "pub-original":
        events, timed, seconds = pub_original(args.port, args.count, frame_of(filter_bytes, args.size))
    elif args.mode == "pub-fast":
        events, timed, seconds = pub_fast(args.port, args.count, frame_of(filter_bytes, args.size), args.batch)
    else:
        events, extra = latency(args.port, args.count, args.skip, args.batch, filter_bytes, args.dump)
        timed, seconds = 0, 0.0
    # the clock starts at the first reply (the engine holds it until its start-up barrier has passed)
    result = {"mode": args.mode, "events": events, "timed_events": timed, "seconds": seconds,
              "rate": timed / seconds if seconds > 0 else 0.0} | extra
    print("bench-result " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
