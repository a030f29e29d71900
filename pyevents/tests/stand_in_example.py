"""
A Python stand-in for the example engine in ``--no-launch`` mode (same command line, same ``ready``
line, same flow, exit code 0 when the plugin said goodbye and quit). It lets the integration tests
check themselves when the C# build is absent. Usage::

    python stand_in_example.py --no-launch --plugin-port P --publish-port A --subscribe-port B
"""
import argparse
import sys

from pyevents.testing import FakeEngine


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-launch", action="store_true", required=True)
    parser.add_argument("--plugin-port", type=int, required=True)
    parser.add_argument("--publish-port", type=int)
    parser.add_argument("--subscribe-port", type=int)
    args = parser.parse_args()
    with FakeEngine(subscriptions=[b"TypeA", b"TypeB"], port=args.plugin_port) as engine:
        for i in range(5):
            engine.push(b"TypeAThis is message %d" % i, b"TypeB%d" % len(b"This is message %d" % i))
        print("ready", flush=True)
        if not engine.quit.wait(120):
            print("the plugin did not quit", file=sys.stderr)
            return 2
        if engine.published != [b"TypeCGoodbye from python"]:
            print(f"unexpected publications: {engine.published}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
