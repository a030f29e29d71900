"""
Nothing is lost when a plugin fails (docs/protocol.md 2.4, README "Acknowledgement and failures"),
against the REAL engine. One engine, successive runs of ``failing_plugin.py`` on its plugin port,
each failing in the middle of a batch: an exception after a publication, then a KeyboardInterrupt
(SIGINT), then kill -9. Each next run must get again every event the failed run had taken and not
finished; a last run gets the rest and ends the session cleanly (the engine exits 0).
"""
import collections
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from pyevents import EngineClient
from real_engine import EXAMPLE_EVENTS, example_engine, wait_for_output

pytestmark = pytest.mark.integration

TESTS = pathlib.Path(__file__).resolve().parent
TIMEOUT = 60


class PluginRun:
    """``failing_plugin.py`` as a child process; its stdout lines are read as they come."""

    def __init__(self, port, mode, *options):
        env = dict(os.environ, PYTHONPATH=str(TESTS.parent))
        self.proc = subprocess.Popen([sys.executable, str(TESTS / "failing_plugin.py"), str(port), mode, *options],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.lines = []
        self.stderr = ""

    def read_until(self, text):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line.rstrip("\n"))
            if line.startswith(text):
                return
        raise AssertionError(f"plugin printed no {text!r}: {self.lines}\n{self.proc.stderr.read()}")

    def go(self):
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def finish(self):
        """Wait for the process to end; return its exit code."""
        out, self.stderr = self.proc.communicate(timeout=TIMEOUT)
        self.lines += out.splitlines()
        return self.proc.returncode

    def frames(self, kind):
        return [line[len(kind) + 1:].encode() for line in self.lines if line.startswith(kind + " ")]

    def unfinished(self):
        """Events this run took and did not finish."""
        return collections.Counter(self.frames("got")) - collections.Counter(self.frames("finished"))

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if not stream.closed:
                stream.close()


def failing_run(engine, port, mode, fail):
    """One run that fails mid-batch as ``fail(run)`` makes it; returns it, ended."""
    run = PluginRun(port, mode)
    try:
        fail(run)
        run.finish()
    finally:
        run.close()
    assert run.unfinished(), f"the {mode} run failed before it took anything: {run.lines}\n{run.stderr}"
    return run


def interrupt(run):
    run.read_until("mid-batch")
    run.proc.send_signal(signal.SIGINT)


def kill_9(run):
    run.read_until("mid-batch")
    run.proc.kill()


def assert_redelivered(previous, run, what, engine):
    lost = previous.unfinished() - collections.Counter(run.frames("got"))
    assert not lost, f"{what}: events not handed out again: {list(lost.elements())}\n" \
                     f"failed run: {previous.lines}\nnext run: {run.lines}\n{engine.output()}"


def test_exception_keyboard_interrupt_and_kill_9_mid_batch_each_lose_nothing():
    with example_engine() as (engine, port):
        first = PluginRun(port, "exception", "--handshake")
        try:
            first.read_until("connected")
            wait_for_output(engine, "MsgProducer received TypeB 17 (5 of 5)", TIMEOUT)  # every event exists now
            first.go()
            assert first.finish() == 1, first.lines
        finally:
            first.close()
        assert "RuntimeError: handler failed" in first.stderr and "closing without quit" in first.stderr, first.stderr
        assert first.unfinished(), first.lines

        second = failing_run(engine, port, "wait", interrupt)
        assert second.proc.returncode != 0 and "KeyboardInterrupt" in second.stderr, second.stderr
        assert "closing without quit" in second.stderr, second.stderr
        assert_redelivered(first, second, "exception after a publication", engine)

        third = failing_run(engine, port, "wait", kill_9)
        assert third.proc.returncode == -signal.SIGKILL
        assert_redelivered(second, third, "KeyboardInterrupt", engine)

        finished = collections.Counter()
        for run in (first, second, third):
            finished.update(run.frames("finished"))
        missing = collections.Counter(EXAMPLE_EVENTS) - finished
        got = []
        with EngineClient(port, host="127.0.0.1", name="last-run", reply_timeout=TIMEOUT, linger=5) as client:
            for frame in client.events(batch=1000, timeout=TIMEOUT):
                got.append(frame)
                if not missing - collections.Counter(got):
                    break
            client.publish(b"TypeCGoodbye from python")
        lost = third.unfinished() - collections.Counter(got)
        assert not lost, f"kill -9: events not handed out again: {list(lost.elements())}\n{engine.output()}"
        assert not missing - collections.Counter(got), f"lost: {list((missing - collections.Counter(got)).elements())}"
        assert engine.wait_exit(TIMEOUT) == 0, engine.output()
        assert any("unacknowledged event(s) are handed out again" in line for line in engine.stdout_lines), engine.output()
