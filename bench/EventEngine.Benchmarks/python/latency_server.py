#!/usr/bin/python3
"""
Baseline of the internal -> Python latency benchmark: a pure pyzmq REP server (Python, no engine) that creates probe
events at a fixed rate and serves them with the fast mode's ``next_batch`` replies, so ``bench_plugin.py latency``
(the same client the engine serves) measures what a REQ/REP hop between two Python processes costs.

Each probe is stamped (CLOCK_MONOTONIC, ns) with its intended send time (its due time at the rate), exactly as the
engine's probes are: a probe due while the client holds no request waits for its next request, and that wait counts
(no coordinated omission), as it does for the engine. Prints ``ready <port>`` once bound; exits on ``plugin_command: quit``.
"""
import argparse
import sys
import time

import zmq

NEXT_BATCH = b"plugin_command: next_batch"
QUIT = b"plugin_command: quit"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, required=True, help="probes per second")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--size", type=int, default=200, help="bytes per probe frame")
    parser.add_argument("--filter", default="PyProbe")
    args = parser.parse_args(argv)
    filter_bytes = args.filter.encode("ascii")
    context = zmq.Context()
    rep = context.socket(zmq.REP)
    rep.linger = 0
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    print(f"ready {port}", flush=True)
    interval = 1e9 / args.rate
    start = None
    seq = 0
    try:
        while rep.poll(60_000):
            request = rep.recv()
            if request.startswith(QUIT):
                return 0
            if not request.startswith(NEXT_BATCH):
                rep.send(b"event-engine: bad msg: the latency baseline serves next_batch only")
                continue
            max_events = int(request.split()[2])
            if start is None:
                start = time.monotonic_ns()
            while True:
                now = time.monotonic_ns()
                due = min(args.count, int((now - start) / interval) + 1)
                if due > seq or seq >= args.count:
                    break
                time.sleep(max(0.0, (start + seq * interval - now) / 1e9))
            n = max(0, min(max_events, due - seq))
            frames = [b"event-engine: batch %d" % n]
            for s in range(seq, seq + n):
                body = filter_bytes + b"%d %d " % (s, start + int(s * interval))
                frames.append(body + b"X" * max(0, args.size - len(body)))
            seq += n
            rep.send_multipart(frames)
        print("latency server: no request for a minute, giving up", file=sys.stderr)
        return 1
    finally:
        rep.close()
        context.term()


if __name__ == "__main__":
    sys.exit(main())
