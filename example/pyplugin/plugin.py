"""
PyPlugin, the original event-engine example's Python plugin, written with pyevents' typed API.

It reads 10 events (the engine subscribed it to TypeA and TypeB), waits 0.3 s, publishes the TypeC event
``Goodbye from python`` and quits. The example engine launches it itself; to run it by hand against
``dotnet run --project example/EventEngine.Example -- --no-launch``::

    PYTHONPATH=pyevents EVENT_ENGINE_PORT=6000 /usr/bin/python3 example/pyplugin/plugin.py

The engine sets EVENT_ENGINE_HOST, EVENT_ENGINE_PORT and EVENT_ENGINE_PLUGIN for the plugins it launches.
(The same plugin with the original helper's four functions: pyevents/README.md, "The original helper".)
"""
import logging
import sys
import time
from dataclasses import dataclass

from pyevents import DECIMAL_TEXT, UTF8_TEXT, EngineClient, EventTypes

MESSAGES = 10


# The example's C# event types (example/EventEngine.Samples/Example/ExampleEvents.cs) use the original's text payloads.
@dataclass
class TypeA:
    text: str
    __event_codec__ = UTF8_TEXT


@dataclass
class TypeB:
    count: int
    __event_codec__ = DECIMAL_TEXT


@dataclass
class TypeC:
    text: str
    __event_codec__ = UTF8_TEXT


def main():
    logging.basicConfig(level=logging.INFO, format="PyPlugin %(levelname)s %(name)s: %(message)s")
    with EngineClient(types=EventTypes(TypeA, TypeB, TypeC)) as client:  # port etc. from EVENT_ENGINE_*
        print(f"PyPlugin connected to port {client.port}; reading {MESSAGES} events")
        for i, event in enumerate(client, start=1):
            print(f"PyPlugin got event {i} of {MESSAGES}: {event}")
            if i == MESSAGES:
                break
        time.sleep(0.3)
        client.publish_event(TypeC("Goodbye from python"))
        # publish raises unless the engine replied 'event-engine: msg published'
        print("PyPlugin published TypeC 'Goodbye from python'; the engine replied 'event-engine: msg published'")
    print("PyPlugin sent quit; exiting")  # leaving the block without an exception quits
    return 0


if __name__ == "__main__":
    sys.exit(main())
