"""CURVE: key forms, socket options, environment default, and end to end against a CURVE fake engine."""
import base64
import inspect

import pytest
import zmq
import zmq.utils.z85

from pyevents.testing import FakeEngine
from pyevents import (CURVE_SERVER_KEY_ENV, EngineClient, EngineTimeout, configure_curve, curve_key, get_next_msg,
                      get_plugin_socket, publish_msg, send_quit_command)

pytestmark = pytest.mark.skipif(not zmq.has("curve"), reason="libzmq without CURVE")


@pytest.fixture
def server_keys():
    public, secret = zmq.curve_keypair()
    return public, secret


@pytest.fixture
def curve_engine(server_keys):
    e = FakeEngine(subscriptions=[b"TypeA"], curve_secret_key=server_keys[1])
    yield e
    e.close()


def test_key_forms():
    public, _ = zmq.curve_keypair()
    raw = zmq.utils.z85.decode(public)
    assert curve_key(public) == public
    assert curve_key(public.decode()) == public
    assert curve_key(raw) == public
    assert curve_key(base64.b64encode(raw).decode()) == public
    for bad in ["", "short", "x" * 39 + "~", b"\0" * 31, "!" * 44]:
        with pytest.raises(ValueError):
            curve_key(bad)
    with pytest.raises(TypeError):
        curve_key(12)


@pytest.fixture
def req():
    ctx = zmq.Context()
    s = ctx.socket(zmq.REQ)
    yield s
    s.close(0)
    ctx.term()


def test_without_a_server_key_nothing_changes(monkeypatch, req):
    monkeypatch.delenv(CURVE_SERVER_KEY_ENV, raising=False)
    assert configure_curve(req) is False
    assert req.mechanism == zmq.NULL
    with pytest.raises(ValueError):
        configure_curve(req, public_key=b"x" * 40, secret_key=b"y" * 40)


def test_server_key_from_the_environment(monkeypatch, server_keys, req):
    monkeypatch.setenv(CURVE_SERVER_KEY_ENV, server_keys[0].decode())
    assert configure_curve(req) is True
    assert req.mechanism == zmq.CURVE
    with pytest.raises(ValueError):
        configure_curve(req, public_key=server_keys[0])  # half a key pair


def test_original_signatures_are_unchanged():
    assert list(inspect.signature(get_plugin_socket).parameters)[:3] == ["context", "port", "host"]
    assert inspect.signature(get_plugin_socket).parameters["host"].default is None
    assert all(p.kind == p.KEYWORD_ONLY for p in list(inspect.signature(get_plugin_socket).parameters.values())[3:])
    assert list(inspect.signature(get_next_msg).parameters) == ["socket", "timeout"]
    assert list(inspect.signature(publish_msg).parameters) == ["socket", "data"]
    assert list(inspect.signature(send_quit_command).parameters) == ["socket"]


def test_engine_client_with_curve(curve_engine, server_keys, monkeypatch):
    monkeypatch.delenv(CURVE_SERVER_KEY_ENV, raising=False)
    curve_engine.push(b"TypeAsecret")
    with EngineClient(curve_engine.port, curve_server_key=server_keys[0], reply_timeout=10.0, linger=0.5) as client:
        assert client.curve
        assert client.next_event(timeout=5) == b"TypeAsecret"
        client.publish(b"TypeAback")
    assert curve_engine.published == [b"TypeAback"]


def test_original_functions_with_curve_from_the_environment(curve_engine, server_keys, monkeypatch):
    monkeypatch.setenv(CURVE_SERVER_KEY_ENV, server_keys[0].decode())
    curve_engine.push(b"TypeAsecret")
    ctx = zmq.Context()
    try:
        sock = get_plugin_socket(ctx, curve_engine.port)  # an unchanged plugin: the key comes from the environment
        assert get_next_msg(sock, timeout=5000) == b"TypeAsecret"
        assert publish_msg(sock, b"TypeAback") == "event-engine: msg published"
        send_quit_command(sock)
        sock.close(linger=1000)
    finally:
        ctx.term()
    assert curve_engine.quit.wait(5)


def test_a_client_without_the_key_gets_nothing(curve_engine, monkeypatch):
    monkeypatch.delenv(CURVE_SERVER_KEY_ENV, raising=False)
    curve_engine.push(b"TypeAsecret")
    client = EngineClient(curve_engine.port, reply_timeout=0.5, linger=0)
    with pytest.raises(EngineTimeout):
        client.next_event(timeout=0.1)
    assert client.closed
    assert curve_engine.requests == []


def test_a_client_with_the_wrong_server_key_gets_nothing(curve_engine, monkeypatch):
    monkeypatch.delenv(CURVE_SERVER_KEY_ENV, raising=False)
    wrong, _ = zmq.curve_keypair()
    client = EngineClient(curve_engine.port, curve_server_key=wrong, reply_timeout=0.5, linger=0)
    with pytest.raises(EngineTimeout):
        client.next_event(timeout=0.1)
    assert curve_engine.requests == []
