"""
A plugin that fails in the middle of a batch, for the "nothing lost" tests (and the before/after
record in pyevents/README.md). It plays PyPlugin of the example engine::

    PYTHONPATH=pyevents python3 pyevents/tests/failing_plugin.py PORT MODE [--handshake]

With ``--handshake`` it first sends a request (the engine starts producing once every plugin is
ready) and waits for a line on stdin (the test sends it once the engine has produced all its
events, so the first batch holds several). Then it handles events one at a time, printing
``got <frame>`` for each one it takes and ``finished <frame>`` for each one it finished. At the first event that is not the last of its batch
it fails according to MODE:

- ``exception``: publishes a reaction (``TypeDreaction``), then raises ``RuntimeError``;
- ``wait``: prints ``mid-batch`` and handles that event slowly (the test sends SIGINT or SIGKILL).
"""
import logging
import sys
import time

from pyevents import EngineClient


def main():
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    port, mode = int(sys.argv[1]), sys.argv[2]
    with EngineClient(port, host="127.0.0.1", name="failing", reply_timeout=60, linger=5) as client:
        if "--handshake" in sys.argv:
            assert client.next_event(timeout=0) is None  # the first request: the engine's barrier passes
            print("connected", flush=True)
            sys.stdin.readline()
        for frame in client.events(batch=1000, timeout=60):
            print("got", frame.decode(), flush=True)
            if client.buffered:  # more events of this batch are waiting: we are in the middle of it
                if mode == "exception":
                    client.publish(b"TypeDreaction")
                    raise RuntimeError(f"handler failed on {frame!r}")
                print("mid-batch", flush=True)
                time.sleep(120)  # a slow handler, interrupted by the test
            print("finished", frame.decode(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
