"""The original four functions: defaults, importability, and behaviour against the fake engine."""
import ast
import pathlib
import subprocess
import sys
import threading

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


def test_get_next_msg_timeout_raises_again_and_the_socket_stays_usable(context):
    with FakeEngine(subscriptions=[b"TypeA"]) as engine:
        sock = get_plugin_socket(context, engine.port)
        try:
            with pytest.raises(zmq.error.Again):
                get_next_msg(sock, timeout=100)
            assert sock.RCVTIMEO == 100
            engine.push(b"TypeA1")
            assert publish_msg(sock, b"TypeBx") == "event-engine: msg published"  # the original's socket was stuck here
            assert get_next_msg(sock, timeout=10_000) == b"TypeA1"
        finally:
            sock.close(linger=0)


@pytest.mark.parametrize("batch, fetches, acked_by_publication", [
    ("", [b"plugin_command: next_batch 1000 "], 0),  # one fetch for both; a publication acknowledges nothing of a batch
    ("0", [b"plugin_command: next_msg", b"plugin_command: next_msg"], 1),  # the original protocol (docs/protocol.md 2.4)
])
def test_original_flow_against_fake_engine(context, monkeypatch, batch, fetches, acked_by_publication):
    monkeypatch.setenv(events.NEXT_MSG_BATCH_ENV, batch)
    with FakeEngine(subscriptions=[b"TypeA", b"TypeB"]) as engine:
        engine.push(b"TypeAThis is message 0", b"TypeB17")
        sock = get_plugin_socket(context, engine.port)
        try:
            assert get_next_msg(sock, timeout=10_000) == b"TypeAThis is message 0"
            assert publish_msg(sock, b"TypeCreaction") == "event-engine: msg published"
            assert engine.acked == acked_by_publication
            assert get_next_msg(sock) == b"TypeB17"
            assert publish_msg(sock, b"TypeCGoodbye from python") == "event-engine: msg published"
            send_quit_command(sock)
            assert engine.quit.wait(10)
        finally:
            sock.close(linger=0)
        assert engine.published == [b"TypeCreaction", b"TypeCGoodbye from python"]
        requests = [r[0] for r in engine.requests]
        fetched = [r for r in requests if r.startswith(b"plugin_command: next")]
        assert [r[:len(f)] for r, f in zip(fetched, fetches)] == fetches and len(fetched) == len(fetches), fetched
        assert requests[-1] == b"plugin_command: quit"
        assert engine.acked == 2


def test_an_engine_without_fast_mode_gets_the_original_protocol(context, caplog):
    """The original Rust engine publishes any request it does not know: the first one shows up there as an event."""
    rep = context.socket(zmq.REP)
    rep.linger = 0
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    seen = []

    def original_engine():  # event-engine/src/plugins.rs, ExternalPlugin::start
        while (request := rep.recv()) != b"plugin_command: quit":
            seen.append(request)
            rep.send(b"TypeAevent" if request == b"plugin_command: next_msg" else b"event-engine: msg published")

    server = threading.Thread(target=original_engine, daemon=True)
    server.start()
    sock = get_plugin_socket(context, port)
    try:
        assert get_next_msg(sock, timeout=10_000) == b"TypeAevent"
        assert get_next_msg(sock, timeout=10_000) == b"TypeAevent"
        send_quit_command(sock)
        server.join(10)
        assert not server.is_alive()
    finally:
        sock.close(linger=0)
        rep.close(linger=0)
    assert seen[0].startswith(b"plugin_command: next_batch ")
    assert seen[1:] == [b"plugin_command: next_msg", b"plugin_command: next_msg"]
    assert "does not know fast mode" in caplog.text


def test_publish_msg_returns_other_replies(context, caplog):
    with FakeEngine(reject="nope") as engine:
        sock = get_plugin_socket(context, engine.port)
        try:
            sock.RCVTIMEO = 10_000
            assert publish_msg(sock, b"TypeX") == "event-engine: bad msg: nope"
        finally:
            sock.close(linger=0)
    assert "unexpected response" in caplog.text
