"""
A plugin written for the original event-engine, unchanged: the four functions of ``events`` (the module name the
original's plugins import; pyevents/compat on PYTHONPATH), playing PyPlugin of the example engine for
test_original_api.py::

    PYTHONPATH=pyevents:pyevents/compat python3 pyevents/tests/original_plugin.py PORT

Its first request is ``get_next_msg(socket, timeout=0)`` (the engine's start-up barrier passes); it prints
``connected`` and waits for a line on stdin (the test sends it once the engine has produced every event, so one
batch holds several). Then it takes events with ``get_next_msg``, printing ``got <frame>`` and ``finished <frame>``
for each; the second one it takes it handles slowly, after printing ``mid-batch`` (the test kills it with -9).
"""
import sys
import time

import zmq

import events
from events import get_next_msg, get_plugin_socket


def main():
    socket = get_plugin_socket(zmq.Context(), int(sys.argv[1]), "127.0.0.1")
    taken = []
    try:
        frame = get_next_msg(socket, timeout=0)
        taken.append(frame)
        print("got", frame.decode(), "\nfinished", frame.decode(), flush=True)
    except zmq.error.Again:
        pass
    print("connected", flush=True)
    sys.stdin.readline()
    while True:
        frame = get_next_msg(socket, timeout=60_000)
        taken.append(frame)
        print("got", frame.decode(), flush=True)
        if len(taken) == 2:
            # not something a plugin does: shows that the rest of the batch is already here
            print("mid-batch", len(events._fetched[socket].frames), "buffered", flush=True)
            time.sleep(120)
        print("finished", frame.decode(), flush=True)


if __name__ == "__main__":
    sys.exit(main())
