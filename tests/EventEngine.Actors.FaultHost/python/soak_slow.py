"""
The soak's slow plugin: reads Tick events one at a time with the original next_msg, takes <seconds per event>
over each, and echoes each one back as SlowEcho<n> (the soak's checker counts them).
"""
import os
import sys
import time

import zmq

from pyevents.events import get_next_msg, get_plugin_socket, publish_msg


def main():
    per_event = float(sys.argv[1])
    socket = get_plugin_socket(zmq.Context(), int(os.environ["EVENT_ENGINE_PORT"]))
    print("python pid=%d soak slow per_event=%s" % (os.getpid(), per_event), flush=True)
    while True:
        frame = get_next_msg(socket)
        time.sleep(per_event)
        publish_msg(socket, b"SlowEcho" + frame[len(b"Tick"):])


if __name__ == "__main__":
    sys.exit(main())
