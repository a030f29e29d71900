"""
Run a real engine process for integration tests: locate its build, pick free ports, start it,
wait for its ``ready`` line, and always clean up (the process is killed if it is still running).
"""
import contextlib
import os
import pathlib
import queue
import shutil
import socket
import subprocess
import threading
import time

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE_DLL_ENV = "EVENT_ENGINE_EXAMPLE_DLL"
EXAMPLE_BUILDS = "example/EventEngine.Example/bin/*/net*/EventEngine.Example.dll"


def example_dll() -> pathlib.Path:
    """``$EVENT_ENGINE_EXAMPLE_DLL`` (relative paths are taken from the repo root), else the newest
    build of the example (any configuration, any target framework); ``None`` when there is none."""
    named = os.environ.get(EXAMPLE_DLL_ENV)
    if named:
        path = pathlib.Path(named)
        return path if path.is_absolute() else REPO_ROOT / path
    builds = sorted(REPO_ROOT.glob(EXAMPLE_BUILDS), key=lambda p: p.stat().st_mtime)
    return builds[-1] if builds else None


def require_example_engine():
    """The command that starts the built example engine. Without it the test is skipped, except under
    ``CI=true``, where it fails saying what is missing: CI never turns a real-engine test into a skip."""
    dll = example_dll()
    missing = None
    if dll is None:
        missing = f"example engine not built: no {EXAMPLE_BUILDS} (run `dotnet build -c Release`, or set {EXAMPLE_DLL_ENV})"
    elif not dll.exists():
        missing = f"example engine not built: {dll} ({EXAMPLE_DLL_ENV}) does not exist"
    elif shutil.which("dotnet") is None:
        missing = "the dotnet host is not on PATH"
    if missing is None:
        return [shutil.which("dotnet"), str(dll)]
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and this test needs the real engine: {missing}", pytrace=False)
    pytest.skip(missing)


def free_ports(n):
    """``n`` distinct TCP ports on 127.0.0.1 that were free a moment ago."""
    with contextlib.ExitStack() as stack:
        socks = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]


class EngineProcess:
    """A child process whose stdout/stderr lines are collected by reader threads."""

    def __init__(self, args, ready_line="ready"):
        self.args = [str(a) for a in args]
        self.ready_line = ready_line
        self.stdout_lines = []
        self.stderr_lines = []
        self._lines = queue.Queue()
        env = dict(os.environ, DOTNET_CLI_TELEMETRY_OPTOUT="1", DOTNET_NOLOGO="1")
        self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT)
        self._readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self.stdout_lines, True), daemon=True),
                         threading.Thread(target=self._read, args=(self.proc.stderr, self.stderr_lines, False), daemon=True)]
        for t in self._readers:
            t.start()

    def _read(self, stream, sink, to_queue):
        for line in stream:
            line = line.rstrip("\r\n")
            sink.append(line)
            if to_queue:
                self._lines.put(line)
        if to_queue:
            self._lines.put(None)  # EOF

    def output(self, last=60):
        """The process's recent output, for assertion messages."""
        return ("--- stdout ---\n" + "\n".join(self.stdout_lines[-last:]) +
                "\n--- stderr ---\n" + "\n".join(self.stderr_lines[-last:]))

    def wait_ready(self, timeout):
        """Wait until the process prints its ready line; fail with its output otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"engine printed no '{self.ready_line}' line within {timeout} s\n{self.output()}")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                code = self.proc.wait(timeout=10)
                raise AssertionError(f"engine exited with {code} before it was ready\n{self.output()}")
            if line.strip() == self.ready_line:
                return

    def wait_exit(self, timeout):
        """Return the exit code; fail with the output if the process is still running after ``timeout``."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"engine did not exit within {timeout} s\n{self.output()}") from None

    def close(self):
        """Kill the process if it still runs, and reap it and its reader threads."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for t in self._readers:
            t.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()
