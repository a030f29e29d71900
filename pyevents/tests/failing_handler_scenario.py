"""
The failing-handler scenario of issue 14, as one command (its output is quoted in pyevents/README.md):
the example engine, a plugin whose handler publishes a reaction and then raises in the middle of a
batch (``failing_plugin.py exception``), then a second run of the plugin on the same port. Prints
what the first run took and finished, what the second run got, and what was lost::

    PYTHONPATH=pyevents /usr/bin/python3 pyevents/tests/failing_handler_scenario.py
    # against another build/checkout: EVENT_ENGINE_EXAMPLE_DLL=/path/EventEngine.Example.dll PYTHONPATH=/path/pyevents ...
"""
import collections
import sys

from pyevents import EngineClient, PyEventsError
from real_engine import EXAMPLE_EVENTS, example_engine, wait_for_output
from test_nothing_lost import TIMEOUT, PluginRun


def main():
    with example_engine() as (engine, port):
        first = PluginRun(port, "exception", "--handshake")
        try:
            first.read_until("connected")
            wait_for_output(engine, "MsgProducer received TypeB 17 (5 of 5)", TIMEOUT)
            first.go()
            first.finish()
        finally:
            first.close()
        print(f"first run: took {len(first.frames('got'))} event(s), finished {len(first.frames('finished'))}, "
              f"published TypeDreaction, raised; exit code {first.proc.returncode}")
        print("  pyevents said:", [line for line in first.stderr.splitlines() if line.startswith("[failing]")])
        got, error = [], None
        missing = collections.Counter(EXAMPLE_EVENTS) - collections.Counter(first.frames("finished"))
        try:
            with EngineClient(port, host="127.0.0.1", name="second-run", reply_timeout=TIMEOUT, linger=5) as client:
                for frame in client.events(batch=1000, timeout=10):
                    got.append(frame)
                    if not missing - collections.Counter(got):
                        break
                client.publish(b"TypeCGoodbye from python")
        except PyEventsError as e:
            error = e
        lost = missing - collections.Counter(got)
        print(f"second run: got {len(got)} event(s)" + (f", then: {error}" if error else ""))
        print("  engine said:", [line.split("] ", 1)[-1] for line in engine.stdout_lines
                                 if "PyPlugin" in line and ("dropped" in line or "again" in line or "quit" in line)])
        print(f"lost: {sum(lost.values())} event(s) {sorted(lost.elements())}")
        return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
