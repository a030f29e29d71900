"""AsyncEngineClient: against the fake engine, and against the REAL engine (cancellation closes without quit)."""
import asyncio
import collections
import importlib.util
import logging

import pytest

from engine_process import REPO_ROOT
from pyevents import AsyncEngineClient, EventTypes
from pyevents.testing import FakeEngine
from real_engine import EXAMPLE_EVENTS, example_engine

TIMEOUT = 60


def example_plugin():
    """The example's Python plugin (example/pyplugin/plugin.py), for its event types."""
    spec = importlib.util.spec_from_file_location("example_plugin", REPO_ROOT / "example/pyplugin/plugin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PLUGIN = example_plugin()
TypeC = PLUGIN.TypeC
EXAMPLE_TYPES = EventTypes(PLUGIN.TypeA, PLUGIN.TypeB, PLUGIN.TypeC)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, TIMEOUT))


def test_async_calls_against_the_fake_engine():
    async def plugin(engine):
        async with AsyncEngineClient(engine.port, reply_timeout=10, linger=1) as client:
            assert await client.next_event(timeout=0.05) is None
            engine.push(b"TypeA1", b"TypeA2", b"TypeA3")
            assert await client.next_batch(2, timeout=5) == [b"TypeA1", b"TypeA2"]
            assert await client.ack() == 2
            assert await client.publish_many([b"TypeZ1", b"TypeZ2"]) == 2
            await client.publish_event("Order", {"Id": "a1"})
            assert [f async for f in client.events(timeout=0.05)] == [b"TypeA3"]

    with FakeEngine(subscriptions=[b"TypeA"]) as engine:
        run(plugin(engine))
        assert engine.quit.wait(10) and engine.acked == 3
        assert engine.published[:2] == [b"TypeZ1", b"TypeZ2"]


def test_cancellation_closes_without_quit_and_the_next_run_gets_the_events(caplog):
    async def cancelled_run(port, took):
        async with AsyncEngineClient(port, host="127.0.0.1", name="cancelled", reply_timeout=TIMEOUT) as client:
            async for frame in client.events(batch=1000):
                took.append(frame)
                await asyncio.Event().wait()  # a handler that never ends: the test cancels it

    async def next_run(port):
        got = []
        async with AsyncEngineClient(port, host="127.0.0.1", types=EXAMPLE_TYPES, reply_timeout=TIMEOUT) as client:
            async for event in client:
                got.append(event)
                if not collections.Counter(EXAMPLE_EVENTS) - collections.Counter(map(EXAMPLE_TYPES.encode, got)):
                    break  # every example event came (at least once)
            await client.publish_event(TypeC("Goodbye from python"))
        return got

    async def scenario(port):
        took = []
        task = asyncio.create_task(cancelled_run(port, took))
        while not took:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return took, await next_run(port)

    with example_engine() as (engine, port), caplog.at_level(logging.WARNING, logger="pyevents"):
        took, got = run(scenario(port))
        assert "leaving the block on CancelledError: closing without quit" in caplog.text
        assert took[0] in map(EXAMPLE_TYPES.encode, got)  # the cancelled run's event came again
        assert engine.wait_exit(TIMEOUT) == 0, engine.output()


def test_async_traced_calls_against_the_fake_engine():
    tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    async def plugin(engine):
        async with AsyncEngineClient(engine.port, reply_timeout=10, linger=1, trace=True) as client:
            engine.push(b"TypeA1")
            frame = await client.next_event(timeout=5)
            assert frame == b"TypeA1" and frame.traceparent is None
            await client.publish(b"TypeCreaction", traceparent=tp)
            assert await client.publish_many([b"TypeC1"], traceparent=tp) == 1
            await client.publish_event("TypeD", {"N": 1}, traceparent=tp)

    with FakeEngine() as engine:
        run(plugin(engine))
        assert engine.published[:2] == [b"TypeCreaction", b"TypeC1"] and len(engine.published) == 3
        assert engine.requests[0][0] == b"plugin_command: next_batch 1 5000 traceparents"
        assert all(r[0].startswith(b"plugin_command: publish_batch " + tp.encode() + b"\n") for r in engine.requests[1:4])
