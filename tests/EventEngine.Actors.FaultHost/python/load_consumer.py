"""
A registered external plugin under full load for the fault suite: fetches events in batches of 1000 for
as long as the engine serves it (pyevents' EngineClient, fast mode). Prints its pid first.
"""
import os
import sys

from pyevents import EngineClient


def main():
    print("python pid=%d consumer batches" % os.getpid(), flush=True)
    received = 0
    with EngineClient() as client:
        for _ in client.events(batch=1000):
            received += 1
            if received % 100000 == 0:
                print("python received=%d" % received, flush=True)


if __name__ == "__main__":
    sys.exit(main())
