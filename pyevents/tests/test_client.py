"""The high-level EngineClient: argument validation, env defaults, and behaviour against the fake engine."""
import dataclasses
import logging
import time

import msgpack
import pytest

from pyevents.testing import FakeEngine
from pyevents import (ClientClosedError, EngineClient, EngineError, EngineTimeout, Plugin, ProtocolError,
                      decode_event)


@pytest.fixture
def engine():
    e = FakeEngine(subscriptions=[b"TypeA", b"TypeB"])
    yield e
    e.close()


@pytest.fixture
def client(engine):
    c = EngineClient(engine.port, reply_timeout=10.0, publish_timeout=10.0, linger=0.5)
    yield c
    c.close()


def requests(engine):
    return [r[0] if len(r) == 1 else r for r in engine.requests]


# ------------------------------------------------------------------ construction (no engine needed)

def test_env_defaults(monkeypatch):
    monkeypatch.setenv("EVENT_ENGINE_HOST", "localhost")
    monkeypatch.setenv("EVENT_ENGINE_PORT", "6123")
    monkeypatch.setenv("EVENT_ENGINE_PLUGIN", "pyplugin")
    with EngineClient(linger=0) as c:
        assert (c.host, c.port, c.name, c.endpoint) == ("localhost", 6123, "pyplugin", "tcp://localhost:6123")
        c.close(quit=False)


def test_defaults_without_env(monkeypatch):
    for name in ("EVENT_ENGINE_HOST", "EVENT_ENGINE_PLUGIN", "EVENT_ENGINE_PORT"):
        monkeypatch.delenv(name, raising=False)
    c = EngineClient(6124)
    try:
        assert (c.host, c.port, c.name) == ("127.0.0.1", 6124, "plugin")
        assert c.reply_timeout == 30.0 and c.publish_timeout is None
    finally:
        c.close(quit=False)
    assert c.closed
    with pytest.raises(ValueError, match="EVENT_ENGINE_PORT"):
        EngineClient()


def test_plugin_is_an_alias():
    assert Plugin is EngineClient


@pytest.mark.parametrize("port, exc", [(0, ValueError), (65536, ValueError), ("abc", ValueError),
                                       (6000.0, TypeError), (True, TypeError), ("", ValueError)])
def test_bad_ports(port, exc, monkeypatch):
    monkeypatch.delenv("EVENT_ENGINE_PORT", raising=False)
    with pytest.raises(exc):
        EngineClient(port)


def test_bad_env_port(monkeypatch):
    monkeypatch.setenv("EVENT_ENGINE_PORT", "sixty")
    with pytest.raises(ValueError, match="EVENT_ENGINE_PORT"):
        EngineClient()


@pytest.mark.parametrize("kwargs", [{"reply_timeout": -1}, {"publish_timeout": "1"}, {"linger": -0.1},
                                    {"batch_max_events": 0}, {"batch_max_bytes": 0}])
def test_bad_options(kwargs):
    with pytest.raises((ValueError, TypeError)):
        EngineClient(6000, **kwargs)


def test_argument_validation_before_any_request():
    c = EngineClient(6125, linger=0)
    try:
        with pytest.raises(ValueError):
            c.events(batch=0)
        with pytest.raises(ValueError):
            c.events(batch=65537)
        with pytest.raises(ValueError):
            c.events(timeout=-1)
        with pytest.raises(ValueError):
            c.next_batch(0)
        with pytest.raises(ValueError):
            c.publish(b"")
        with pytest.raises(ValueError):
            c.publish(b"plugin_command: quit")
        with pytest.raises(TypeError):
            c.publish("TypeA")
        with pytest.raises(ValueError):
            c.next_event(timeout=-5)
    finally:
        c.close(quit=False)


def test_closed_client_refuses_use():
    c = EngineClient(6126, linger=0)
    c.close(quit=False)
    c.close()  # idempotent
    with pytest.raises(ClientClosedError):
        c.next_event()
    with pytest.raises(ClientClosedError):
        c.publish(b"TypeA")
    with pytest.raises(ClientClosedError):
        c.events()
    assert "closed" in repr(c)


# ------------------------------------------------------------------ against the fake engine

def test_next_event_blocking_and_timeout(engine, client):
    engine.push(b"TypeAone")
    assert client.next_event() == b"TypeAone"
    started = time.monotonic()
    assert client.next_event(timeout=0.2) is None
    assert time.monotonic() - started >= 0.19
    # the connection is still usable after a timeout
    engine.push(b"TypeBtwo")
    assert client.next_event(timeout=10) == b"TypeBtwo"
    # every wait is asked of the engine in slices of at most wait_slice (default 10 s)
    assert requests(engine) == [b"plugin_command: next_msg 10000", b"plugin_command: next_msg 200",
                                b"plugin_command: next_msg 10000"]


def test_next_event_zero_timeout(engine, client):
    assert client.next_event(timeout=0) is None
    assert requests(engine) == [b"plugin_command: next_msg 0"]


def test_events_iterates_in_batches_and_acknowledges(engine, client):
    frames = [b"TypeA%d" % i for i in range(25)]
    engine.push(*frames)
    got = list(client.events(batch=10, timeout=0.2))
    assert got == frames
    assert requests(engine) == [b"plugin_command: next_batch 10 200"] * 4  # 10, 10, 5, then 0 (timeout)
    assert engine.acked == 25


def test_events_break_keeps_the_rest_of_the_batch(engine, client):
    engine.push(*[b"TypeA%d" % i for i in range(5)])
    it = client.events(batch=100, timeout=5)
    assert [next(it), next(it)] == [b"TypeA0", b"TypeA1"]
    it.close()
    assert client.buffered == 3
    assert client.next_event() == b"TypeA2"
    assert client.next_batch(10) == [b"TypeA3", b"TypeA4"]
    assert len(engine.requests) == 1  # all served from the one batch


def test_next_batch(engine, client):
    assert client.next_batch(5, timeout=0.05) == []
    engine.push(b"TypeA1", b"TypeA2", b"TypeA3")
    assert client.next_batch(2) == [b"TypeA1", b"TypeA2"]  # blocking request, engine may return fewer
    assert client.next_batch(2) == [b"TypeA3"]
    assert requests(engine) == [b"plugin_command: next_batch 5 50", b"plugin_command: next_batch 2 10000",
                                b"plugin_command: next_batch 2 10000"]


def test_events_waits_for_late_events(engine, client):
    it = client.events(batch=10)
    engine.push(b"TypeAlate")
    assert next(it) == b"TypeAlate"
    assert requests(engine) == [b"plugin_command: next_batch 10 10000"]


def test_publish_and_publish_event(engine, client):
    client.publish(b"TypeCGoodbye from python")

    @dataclasses.dataclass
    class Order:
        Id: str
        Qty: int

    client.publish_event("Order", Order("x", 2))
    client.publish_event("Order", {"Id": "y", "Qty": 3}, filter="ORD")
    assert engine.published[0] == b"TypeCGoodbye from python"
    assert decode_event(engine.published[1], ["Order"]) == ("Order", {"Id": "x", "Qty": 2})
    assert engine.published[2] == b"ORD" + msgpack.packb({"Id": "y", "Qty": 3})


def test_publish_many_splits_into_batches(engine):
    with EngineClient(engine.port, batch_max_events=3, linger=0.5) as client:
        frames = [b"TypeZ%d" % i for i in range(8)]
        assert client.publish_many(iter(frames)) == 8
        assert client.publish_many([]) == 0
    assert engine.published == frames
    batches = [r[0] for r in engine.requests if r[0].startswith(b"plugin_command: publish_batch")]
    assert len(batches) == 3


def test_publish_many_respects_byte_budget(engine):
    with EngineClient(engine.port, batch_max_bytes=100, linger=0.5) as client:
        frames = [b"TypeZ" + b"x" * 40 for _ in range(5)]  # 45 bytes + 4 each: two per request
        assert client.publish_many(frames) == 5
    assert len([r for r in engine.requests if r[0].startswith(b"plugin_command: publish_batch")]) == 3


def test_own_events_come_back_when_subscribed(engine, client):
    client.publish_many([b"TypeA1", b"TypeA2"])
    assert client.next_batch(10, timeout=5) == [b"TypeA1", b"TypeA2"]


def test_engine_error_keeps_connection_usable():
    with FakeEngine(reject="subscriber queue full") as engine:
        with EngineClient(engine.port, linger=0.5, publish_timeout=10) as client:
            with pytest.raises(EngineError) as info:
                client.publish(b"TypeA")
            assert info.value.reason == "subscriber queue full"
            with pytest.raises(EngineError):
                client.publish_many([b"TypeA"])
            assert client.next_event(timeout=0) is None


def test_context_manager_quits(engine):
    with EngineClient(engine.port, linger=2) as client:
        client.publish(b"TypeQ")
    assert client.closed
    assert engine.quit.wait(10)
    assert requests(engine)[-1] == b"plugin_command: quit"


def test_quit_drops_untaken_events_with_a_warning(engine, caplog):
    engine.push(b"TypeA1", b"TypeA2")
    client = EngineClient(engine.port, name="dropper", linger=2)
    it = client.events(batch=10, timeout=5)
    assert next(it) == b"TypeA1"
    assert client.buffered == 1
    with caplog.at_level(logging.WARNING, logger="pyevents.client"):
        client.quit()
    assert "1 received events not taken" in caplog.text and "dropper" in caplog.text
    assert engine.quit.wait(10)


def test_engine_timeout_closes_the_client():
    with FakeEngine(silent=True) as engine:
        client = EngineClient(engine.port, reply_timeout=0.2, linger=0)
        started = time.monotonic()
        with pytest.raises(EngineTimeout) as info:
            client.next_event(timeout=0.1)
        assert 0.25 <= time.monotonic() - started < 10
        assert isinstance(info.value, TimeoutError)
        assert client.closed
        with pytest.raises(ClientClosedError):
            client.next_event(timeout=0)


def test_publish_timeout():
    with FakeEngine(silent=True) as engine:
        client = EngineClient(engine.port, publish_timeout=0.1, linger=0)
        with pytest.raises(EngineTimeout):
            client.publish(b"TypeA")
        assert client.closed


def test_event_that_looks_like_a_header_is_just_an_event(engine, client):
    engine.push(b"event-engine: batch 3")  # abuse of the reserved prefix, but still one event frame
    assert client.next_event(timeout=5) == b"event-engine: batch 3"


def test_unknown_command_reply_is_an_engine_error(engine, client):
    from pyevents import protocol as p
    with pytest.raises(EngineError, match="unknown command 'frobnicate'"):
        p.check_bad_msg(client._request_one(b"plugin_command: frobnicate", 10))
    assert client.next_event(timeout=0) is None


def test_mismatched_batch_reply_is_a_protocol_error(engine, client, monkeypatch):
    from pyevents import protocol as p
    monkeypatch.setattr(p, "next_batch_request", lambda n, wait=None, traceparents=False: b"TypeA-not-a-command")
    with pytest.raises(ProtocolError):
        client.next_batch(3, timeout=1)


def test_interrupted_request_is_recovered_by_close(engine, caplog):
    from pyevents import PyEventsError
    client = EngineClient(engine.port, linger=5)
    # as if a KeyboardInterrupt hit while waiting for this reply
    client._socket.send(b"plugin_command: next_msg 50")
    client._awaiting = True
    with pytest.raises(PyEventsError, match="interrupted"):
        client.next_event(timeout=0)
    with caplog.at_level(logging.WARNING, logger="pyevents.client"):
        client.close()
    assert "discarded a reply" in caplog.text
    assert engine.quit.wait(10)  # the quit could still be sent


def test_a_call_without_timeout_notices_a_hung_engine():
    with FakeEngine(silent=True) as engine:
        client = EngineClient(engine.port, reply_timeout=0.3, wait_slice=0.2, linger=0)
        started = time.monotonic()
        with pytest.raises(EngineTimeout):
            client.next_event()  # no timeout: still asked of the engine in a slice, with reply_timeout beyond it
        assert 0.45 <= time.monotonic() - started < 10
        assert client.closed
        assert requests(engine) == [b"plugin_command: next_msg 200"]


def test_a_traced_client_works_against_an_engine_without_traces(engine):
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    engine.push(b"TypeA1", b"TypeA2")
    with EngineClient(engine.port, trace=True, linger=0.5) as client:
        first = client.next_event(timeout=5)
        assert first == b"TypeA1" and first.traceparent is None and client.traceparent is None
        assert client.next_batch(10) == [b"TypeA2"]
        client.publish(b"TypeCreaction", traceparent=tp)
        assert client.publish_many([b"TypeC1", b"TypeC2"], traceparent=tp) == 2
        with pytest.raises(ValueError, match="not a W3C traceparent"):
            client.publish(b"TypeCx", traceparent="00-nope")
    assert engine.published == [b"TypeCreaction", b"TypeC1", b"TypeC2"]
    assert requests(engine)[:2] == [b"plugin_command: next_batch 1 5000 traceparents",
                                    b"plugin_command: next_batch 10 10000 traceparents"]
    assert requests(engine)[2] == b"plugin_command: publish_batch " + tp.encode() + b"\n\x00\x00\x00\x0dTypeCreaction"
