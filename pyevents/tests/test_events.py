"""The original four functions: defaults, importability, and behaviour against the fake engine."""
import ast
import pathlib
import subprocess
import sys

import pytest
import zmq

from pyevents.testing import FakeEngine
from pyevents import events
from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command

PKG_DIR = pathlib.Path(__file__).resolve().parents[1] / "pyevents"


@pytest.fixture
def context():
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def test_events_module_has_no_package_relative_imports():
    tree = ast.parse((PKG_DIR / "events.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, "events.py must import nothing relative to its package"
            assert not (node.module or "").startswith("pyevents")


@pytest.mark.parametrize("path, statement", [
    (PKG_DIR, "from events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command"),
    (PKG_DIR.parent, "from pyevents.events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command"),
    (PKG_DIR.parent, "from pyevents import get_plugin_socket, get_next_msg, publish_msg, send_quit_command"),
])
def test_import_styles(path, statement):
    result = subprocess.run([sys.executable, "-c", statement + "; print('ok')"], env={"PYTHONPATH": str(path)},
                            capture_output=True, text=True, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_default_host_is_loopback(monkeypatch, context):
    monkeypatch.delenv("EVENT_ENGINE_HOST", raising=False)
    assert events.default_host() == "127.0.0.1"
    sock = get_plugin_socket(context, 6000)
    try:
        assert sock.type == zmq.REQ
        assert sock.LAST_ENDPOINT == b"tcp://127.0.0.1:6000"
    finally:
        sock.close(linger=0)


def test_default_host_from_env_read_at_call_time(monkeypatch, context):
    monkeypatch.setenv("EVENT_ENGINE_HOST", "localhost")
    sock = get_plugin_socket(context, 6001)
    try:
        assert sock.LAST_ENDPOINT == b"tcp://localhost:6001"
    finally:
        sock.close(linger=0)
    monkeypatch.setenv("EVENT_ENGINE_HOST", "")
    assert events.default_host() == "127.0.0.1"


def test_explicit_host_wins(monkeypatch, context):
    monkeypatch.setenv("EVENT_ENGINE_HOST", "localhost")
    sock = get_plugin_socket(context, "6002", host="127.0.0.1")
    try:
        assert sock.LAST_ENDPOINT == b"tcp://127.0.0.1:6002"
    finally:
        sock.close(linger=0)


def test_get_next_msg_timeout_raises_again(context):
    with FakeEngine(subscriptions=[b"TypeA"]) as engine:
        sock = get_plugin_socket(context, engine.port)
        try:
            with pytest.raises(zmq.error.Again):
                get_next_msg(sock, timeout=100)
            assert sock.RCVTIMEO == 100
        finally:
            sock.close(linger=0)


def test_original_flow_against_fake_engine(context):
    with FakeEngine(subscriptions=[b"TypeA", b"TypeB"]) as engine:
        engine.push(b"TypeAThis is message 0", b"TypeB17")
        sock = get_plugin_socket(context, engine.port)
        try:
            assert get_next_msg(sock, timeout=10_000) == b"TypeAThis is message 0"
            assert get_next_msg(sock) == b"TypeB17"
            assert publish_msg(sock, b"TypeCGoodbye from python") == "event-engine: msg published"
            send_quit_command(sock)
            assert engine.quit.wait(10)
        finally:
            sock.close(linger=0)
        assert engine.published == [b"TypeCGoodbye from python"]
        assert [r[0] for r in engine.requests] == [b"plugin_command: next_msg", b"plugin_command: next_msg",
                                                   b"TypeCGoodbye from python", b"plugin_command: quit"]
        assert engine.acked == 2


def test_publish_msg_returns_other_replies(context, caplog):
    with FakeEngine(reject="nope") as engine:
        sock = get_plugin_socket(context, engine.port)
        try:
            sock.RCVTIMEO = 10_000
            assert publish_msg(sock, b"TypeX") == "event-engine: bad msg: nope"
        finally:
            sock.close(linger=0)
    assert "unexpected response" in caplog.text
