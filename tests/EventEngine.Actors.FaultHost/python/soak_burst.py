"""
The soak's bursty plugin: publishes bursts of <burst size> Burst<n> events (n counting from 0) in one publication,
one burst every <seconds between bursts>. On SoakStop it publishes BurstsDone<how many> and quits.
"""
import sys

from pyevents import EngineClient


def main():
    size, pause = int(sys.argv[1]), float(sys.argv[2])
    published = 0
    with EngineClient() as client:
        while True:
            client.publish_many([b"Burst%d" % n for n in range(published, published + size)])
            published += size
            stop = client.next_event(timeout=pause)
            if stop is not None:  # SoakStop, the only event it subscribes to
                client.publish(b"BurstsDone%d" % published)
                return 0


if __name__ == "__main__":
    sys.exit(main())
