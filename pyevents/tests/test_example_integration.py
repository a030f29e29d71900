"""
Integration tests against a REAL engine: the C# example application in ``--no-launch`` mode, where
this test plays the original's Python plugin (PyPlugin) on the plugin port.

The engine's flow: MsgProducer publishes 5 ``TypeA`` events ``TypeAThis is message 0`` .. ``4``;
Counter answers each with ``TypeB`` + the character count (``TypeB17``); the Python plugin
(subscribed to TypeA and TypeB) reads 10 events, publishes ``TypeCGoodbye from python`` and quits;
the engine then exits with 0.

The build is ``$EVENT_ENGINE_EXAMPLE_DLL``, else the newest ``example/EventEngine.Example/bin/*/net*``
build. Without one the tests are skipped, and under ``CI=true`` they fail saying what is missing.
"""
import os
import pathlib
import subprocess
import sys

import pytest
import zmq

import real_engine
from pyevents import EngineClient
from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command

pytestmark = pytest.mark.integration

START_TIMEOUT = 120      # seconds for the engine to print "ready" (cold dotnet start on a busy machine)
EVENT_TIMEOUT = 60       # seconds to wait for any one event
EXIT_TIMEOUT = 60        # seconds for the engine to exit after the plugin quit


@pytest.fixture
def example_engine():
    """Start the example in --no-launch mode on free ports; yield (process, plugin_port)."""
    with real_engine.example_engine() as started:
        yield started


def assert_example_events(frames, output=""):
    """10 events: the 5 TypeA in order and 5 TypeB17, in any interleaving."""
    assert len(frames) == 10, output
    type_a = [f for f in frames if f.startswith(b"TypeA")]
    type_b = [f for f in frames if f.startswith(b"TypeB")]
    assert type_a == [b"TypeAThis is message %d" % i for i in range(5)], output
    assert type_b == [b"TypeB17"] * 5, output


def test_example_with_original_functions(example_engine):
    engine, port = example_engine
    context = zmq.Context()
    try:
        socket = get_plugin_socket(context, port, host="127.0.0.1")
        try:
            frames = [get_next_msg(socket, timeout=EVENT_TIMEOUT * 1000) for _ in range(10)]
            assert_example_events(frames, engine.output())
            assert publish_msg(socket, b"TypeCGoodbye from python") == "event-engine: msg published"
            send_quit_command(socket)
        finally:
            socket.close(linger=5000)  # let the quit reach the engine
    finally:
        context.term()
    assert engine.wait_exit(EXIT_TIMEOUT) == 0, engine.output()


def test_example_with_engine_client(example_engine):
    engine, port = example_engine
    context = zmq.Context()
    try:
        with EngineClient(port, host="127.0.0.1", name="pyplugin", context=context,
                          reply_timeout=EVENT_TIMEOUT, linger=5) as client:
            frames = []
            for frame in client.events(batch=1000, timeout=EVENT_TIMEOUT):
                frames.append(frame)
                if len(frames) == 10:
                    break
            assert_example_events(frames, engine.output())
            # a server-side timeout leaves the connection usable
            assert client.next_event(timeout=0.2) is None
            client.publish(b"TypeCGoodbye from python")
        # leaving the block sent plugin_command: quit
    finally:
        context.term()
    assert engine.wait_exit(EXIT_TIMEOUT) == 0, engine.output()


ABRUPT_PLUGIN = r"""
import sys, zmq
from pyevents.events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command
socket = get_plugin_socket(zmq.Context(), int(sys.argv[1]), host="127.0.0.1")
for _ in range(10):
    get_next_msg(socket)
publish_msg(socket, b"TypeCGoodbye from python")
send_quit_command(socket)
# the script just ends, as the original's plugins do: no close, no term
"""


def test_a_plugin_whose_script_ends_right_after_quit_ends_its_session(example_engine):
    engine, port = example_engine
    env = dict(os.environ, PYTHONPATH=str(pathlib.Path(__file__).resolve().parents[1]))
    plugin = subprocess.run([sys.executable, "-c", ABRUPT_PLUGIN, str(port)], env=env,
                            capture_output=True, text=True, timeout=EVENT_TIMEOUT)
    assert plugin.returncode == 0, plugin.stderr
    assert engine.wait_exit(EXIT_TIMEOUT) == 0, engine.output()
