"""
PyPlugin, the original event-engine example's Python plugin, written with pyevents' original functions.

It reads 10 events (the engine subscribed it to TypeA and TypeB), waits 0.3 s, publishes the TypeC event
``Goodbye from python`` and quits. The example engine launches it itself; to run it by hand against
``dotnet run --project example/EventEngine.Example -- --no-launch``::

    PYTHONPATH=pyevents EVENT_ENGINE_PORT=6000 /usr/bin/python3 example/pyplugin/plugin.py

The engine sets EVENT_ENGINE_HOST, EVENT_ENGINE_PORT and EVENT_ENGINE_PLUGIN for the plugins it launches.
"""
import os
import sys
import time

import zmq

from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command

MESSAGES = 10


def main():
    port = int(os.environ.get("EVENT_ENGINE_PORT", "6000"))
    context = zmq.Context()
    socket = get_plugin_socket(context, port)
    print(f"PyPlugin connected to port {port}; reading {MESSAGES} events")
    for i in range(MESSAGES):
        message = get_next_msg(socket)
        print(f"PyPlugin got event {i + 1} of {MESSAGES}: {message.decode('utf-8', 'replace')}")
    time.sleep(0.3)
    reply = publish_msg(socket, b"TypeCGoodbye from python")
    print(f"PyPlugin published TypeC 'Goodbye from python'; the engine replied '{reply}'")
    send_quit_command(socket)
    print("PyPlugin sent quit; exiting")
    socket.close(linger=2000)  # let the quit reach the engine before the process ends
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
