"""Explicit acknowledgement in fast mode, against the fake engine (the real engine: test_nothing_lost.py)."""
import logging

import pytest

from pyevents import EngineClient
from pyevents.testing import FakeEngine

FRAMES = [b"TypeA%d" % i for i in range(5)]


@pytest.fixture
def engine():
    with FakeEngine(subscriptions=["TypeA"]) as e:
        e.push(*FRAMES)
        yield e


def connect(engine, **kwargs):
    return EngineClient(engine.port, name="acker", reply_timeout=10, linger=1, **kwargs)


def test_a_publication_acknowledges_nothing_and_the_next_fetch_acknowledges_the_batch(engine):
    with connect(engine) as client:
        assert client.next_batch(10, timeout=5) == FRAMES
        client.publish(b"TypeCreaction")
        assert engine.acked == 0
        assert client.next_batch(10, timeout=0) == []
        assert engine.acked == 5


def test_an_exception_acknowledges_what_was_finished_and_does_not_quit(engine, caplog):
    with caplog.at_level(logging.WARNING, logger="pyevents"), pytest.raises(RuntimeError):
        with connect(engine) as client:
            for i, frame in enumerate(client.events(timeout=5)):
                client.publish(b"TypeCreaction")
                if i == 2:
                    raise RuntimeError("handler failed")
    assert engine.acked == 2  # TypeA0 and TypeA1 were finished; TypeA2..4 come again
    assert not engine.quit.wait(0.3)
    assert requests(engine)[-1] == b"plugin_command: ack 2"
    assert "leaving the block on RuntimeError: closing without quit; the engine hands 3 event(s)" in caplog.text


def test_keyboard_interrupt_does_not_quit(engine):
    with pytest.raises(KeyboardInterrupt):
        with connect(engine) as client:
            next(iter(client))
            raise KeyboardInterrupt
    assert engine.acked == 0 and not engine.quit.wait(0.3)


def test_batches_acknowledge_a_batch_when_the_next_is_asked_for(engine):
    with pytest.raises(RuntimeError):
        with connect(engine) as client:
            for batch in client.batches(batch=2, timeout=5):
                if batch == FRAMES[2:4]:
                    raise RuntimeError("handler failed")
    assert engine.acked == 2  # the first batch; the failed one was not acknowledged
    assert not engine.quit.wait(0.3)


def test_ack_acknowledges_what_was_handed_out(engine):
    with connect(engine) as client:
        it = client.events(timeout=5)
        assert [next(it), next(it)] == FRAMES[:2]
        assert client.ack() == 2
        assert client.ack() == 0  # nothing new: no request
        assert engine.acked == 2
        assert requests(engine).count(b"plugin_command: ack 2") == 1
    assert engine.quit.wait(10) and engine.acked == 5  # quit acknowledges the rest


def requests(engine):
    return [r[0] for r in engine.requests]
