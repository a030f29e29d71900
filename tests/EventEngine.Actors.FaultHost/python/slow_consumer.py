"""
A slow registered external plugin for the fault suite: reads Num events one by one with the original
next_msg (pyevents' original functions), taking about <seconds per event> for each, checks they come in
order without gaps, and on End publishes a Report event with what it saw, then quits.
"""
import os
import sys
import time

import zmq

from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command


def main():
    per_event = float(sys.argv[1])
    context = zmq.Context()
    socket = get_plugin_socket(context, int(os.environ["EVENT_ENGINE_PORT"]))
    print("python pid=%d consumer per_event=%s" % (os.getpid(), per_event), flush=True)
    received = 0
    ordered = True
    while True:
        frame = get_next_msg(socket)
        if frame.startswith(b"End"):
            break
        if int(frame[3:]) != received:
            ordered = False
        received += 1
        time.sleep(per_event)
    publish_msg(socket, b"Reportexternal received=%d ordered=%s" % (received, b"true" if ordered else b"false"))
    send_quit_command(socket)
    socket.close(linger=2000)
    context.term()


if __name__ == "__main__":
    sys.exit(main())
