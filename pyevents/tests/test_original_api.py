"""
Point 2 of issue 13: a plugin written for the original (its four functions, unchanged) gets fast mode for free,
against the REAL engine: ``get_next_msg`` fetches batches behind the scenes, hands events out in order, honours
``timeout``, and after ``kill -9`` in the middle of a batch every event taken and not finished comes again.
"""
import collections
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import zmq

from pyevents import events
from pyevents.events import get_next_msg, get_plugin_socket, publish_msg, send_quit_command
from real_engine import EXAMPLE_EVENTS, example_engine, wait_for_output

pytestmark = pytest.mark.integration

TESTS = pathlib.Path(__file__).resolve().parent
TIMEOUT = 60
ALL_PRODUCED = "MsgProducer received TypeB 17 (5 of 5)"  # the example engine has published every event for PyPlugin


def take_all(socket, wanted, got):
    """Take events with get_next_msg until ``got`` holds every one of ``wanted``."""
    deadline = time.monotonic() + TIMEOUT
    while collections.Counter(wanted) - collections.Counter(got):
        assert time.monotonic() < deadline, f"missing {list((collections.Counter(wanted) - collections.Counter(got)).elements())}"
        got.append(get_next_msg(socket, timeout=TIMEOUT * 1000))


def assert_in_order(frames):
    type_a = [f for f in frames if f.startswith(b"TypeA")]
    assert type_a == sorted(type_a), f"TypeA events out of order: {frames}"


def quit_cleanly(engine, socket):
    assert publish_msg(socket, b"TypeCGoodbye from python") == "event-engine: msg published"
    send_quit_command(socket)
    socket.close(linger=5000)
    assert engine.wait_exit(TIMEOUT) == 0, engine.output()


def test_get_next_msg_fetches_batches_in_order_and_honours_its_timeout():
    context = zmq.Context()
    with example_engine() as (engine, port):
        socket = get_plugin_socket(context, port, "127.0.0.1")
        got = []
        try:
            got.append(get_next_msg(socket, timeout=0))  # the first request: the engine starts producing
        except zmq.error.Again:
            pass
        wait_for_output(engine, ALL_PRODUCED, TIMEOUT)
        got.append(get_next_msg(socket, timeout=TIMEOUT * 1000))
        assert len(events._fetched[socket].frames) == len(EXAMPLE_EVENTS) - len(got), "one fetch brings every event"
        take_all(socket, EXAMPLE_EVENTS, got)
        assert sorted(got) == sorted(EXAMPLE_EVENTS)
        assert_in_order(got)

        started = time.monotonic()
        with pytest.raises(zmq.error.Again):
            get_next_msg(socket, timeout=300)
        waited = time.monotonic() - started
        assert 0.25 <= waited < 10, f"a 300 ms timeout took {waited:.3f} s"
        quit_cleanly(engine, socket)  # the socket is still usable after the timeout
    context.term()


def test_kill_9_in_the_middle_of_a_batch_loses_nothing():
    context = zmq.Context()
    with example_engine() as (engine, port):
        env = dict(os.environ, PYTHONPATH=f"{TESTS.parent}{os.pathsep}{TESTS.parent / 'compat'}")
        plugin = subprocess.Popen([sys.executable, str(TESTS / "original_plugin.py"), str(port)], env=env, text=True,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = []
        try:
            def read_until(prefix):
                deadline = time.monotonic() + TIMEOUT
                while time.monotonic() < deadline:
                    line = plugin.stdout.readline()
                    if not line:
                        break
                    lines.append(line.rstrip("\n"))
                    if line.startswith(prefix):
                        return line
                raise AssertionError(f"plugin printed no {prefix!r}: {lines}\n{plugin.stderr.read()}")

            read_until("connected")
            wait_for_output(engine, ALL_PRODUCED, TIMEOUT)
            plugin.stdin.write("go\n")
            plugin.stdin.flush()
            buffered = int(read_until("mid-batch").split()[1])
            assert buffered > 0, f"the events were not fetched in a batch: {lines}"
            plugin.kill()
            assert plugin.wait(TIMEOUT) == -signal.SIGKILL
        finally:
            if plugin.poll() is None:
                plugin.kill()
            plugin.wait(TIMEOUT)
            for stream in (plugin.stdin, plugin.stdout, plugin.stderr):
                stream.close()
        taken = [line[4:].encode() for line in lines if line.startswith("got ")]
        finished = [line[9:].encode() for line in lines if line.startswith("finished ")]
        unfinished = collections.Counter(taken) - collections.Counter(finished)
        assert unfinished, lines
        assert_in_order(taken)

        socket = get_plugin_socket(context, port, "127.0.0.1")  # the plugin, restarted
        got = []
        take_all(socket, list((collections.Counter(EXAMPLE_EVENTS) - collections.Counter(finished)).elements()), got)
        assert not unfinished - collections.Counter(got), f"not handed out again: {unfinished}, then {got}"
        assert_in_order(got)
        assert any("unacknowledged event(s) are handed out again" in line for line in engine.stdout_lines), engine.output()
        quit_cleanly(engine, socket)
    context.term()
