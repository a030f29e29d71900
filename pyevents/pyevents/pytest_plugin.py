"""
pytest fixtures for plugin authors. Installed pyevents registers them by itself (entry point
``pytest11``); with pyevents only on ``PYTHONPATH``, add to your ``conftest.py``::

    pytest_plugins = ["pyevents.pytest_plugin"]

Fixtures: ``fake_engine`` (a started :class:`pyevents.testing.FakeEngine`, subscribed to
everything, closed after the test) and ``fake_engine_client`` (an
:class:`pyevents.EngineClient` connected to it with short timeouts).
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .client import EngineClient
from .testing import FakeEngine


@pytest.fixture
def fake_engine() -> Iterator[FakeEngine]:
    """A :class:`FakeEngine` on an ephemeral loopback port, subscribed to every event."""
    with FakeEngine() as engine:
        yield engine


@pytest.fixture
def fake_engine_client(fake_engine: FakeEngine) -> Iterator[EngineClient]:
    """An :class:`EngineClient` connected to ``fake_engine`` (closed without ``quit`` if the test left it open)."""
    client = EngineClient(fake_engine.port, name="test-plugin", reply_timeout=10.0, publish_timeout=10.0, linger=1.0)
    yield client
    client.close(quit=False)
