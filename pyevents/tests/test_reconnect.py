"""
A dead engine is noticed (every wait is asked of the engine in bounded slices, so ``reply_timeout``
always applies) and, with ``reconnect=True``, survived: the REAL engine is stopped and started again
on the same plugin port under a running plugin, which carries on with the new engine.
"""
import contextlib
import logging
import threading
import time

import pytest

from pyevents import EngineClient
from real_engine import EXAMPLE_EVENTS, example_engine

pytestmark = pytest.mark.integration

TIMEOUT = 60


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def wait_until(condition, what, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.02)


def test_reconnect_takes_over_after_the_engine_is_stopped_and_started_again():
    records = Records()
    logging.getLogger("pyevents").addHandler(records)
    got, errors = [], []
    first_engine = contextlib.ExitStack()
    engine, port = first_engine.enter_context(example_engine())
    client = EngineClient(port, host="127.0.0.1", name="survivor", reply_timeout=1.0, wait_slice=0.5,
                          reconnect=True, max_backoff=1.0, linger=5)

    def plugin():  # reads the 10 events of each engine run, then says goodbye to the second one
        try:
            with client:
                for frame in client.events(batch=1000, timeout=TIMEOUT):
                    got.append(frame)
                    if len(got) == 2 * len(EXAMPLE_EVENTS):
                        break
                client.publish(b"TypeCGoodbye from python")
        except BaseException as e:  # reported by the test thread
            errors.append(e)

    thread = threading.Thread(target=plugin, daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(got) >= len(EXAMPLE_EVENTS) or errors, "the first engine's 10 events")
        assert sorted(got) == sorted(EXAMPLE_EVENTS), (got, errors)
        first_engine.close()  # stop the engine under the running plugin
        wait_until(lambda: any("reconnecting" in m for m in records.messages), "a logged reconnect attempt")
        with example_engine(plugin_port=port) as (second, _):
            thread.join(TIMEOUT)
            assert not thread.is_alive() and not errors, (errors, got, second.output())
            assert sorted(got[len(EXAMPLE_EVENTS):]) == sorted(EXAMPLE_EVENTS), second.output()
            assert second.wait_exit(TIMEOUT) == 0, second.output()
    finally:
        first_engine.close()
        client.close(quit=False)
        thread.join(10)
        logging.getLogger("pyevents").removeHandler(records)
    assert any("no reply from tcp://127.0.0.1:%d" % port in m for m in records.messages), records.messages
