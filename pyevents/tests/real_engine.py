"""
The REAL engine for tests that need one: the built C# example (``example/EventEngine.Example``) as a
child process in ``--no-launch`` mode, where the test plays its Python plugin PyPlugin (subscribed to
TypeA and TypeB). The engine publishes 5 ``TypeAThis is message <i>`` and 5 ``TypeB17`` once the
plugin's first request has arrived, and exits 0 once the plugin publishes ``TypeC...`` and quits.
"""
import contextlib

import pytest

from engine_process import EngineProcess, free_ports, require_example_engine

START_TIMEOUT = 120      # seconds for the engine to print "ready" (cold dotnet start on a busy machine)
EXAMPLE_EVENTS = [b"TypeAThis is message %d" % i for i in range(5)] + [b"TypeB17"] * 5


# ``[dotnet, dll]``; skipped when the build is missing, failed under ``CI=true`` (it must not skip there).
example_command = require_example_engine


@contextlib.contextmanager
def example_engine(plugin_port=None):
    """Start the example engine on free ports (or this plugin port); yield ``(process, plugin_port)``; always stop it."""
    plugin_port = plugin_port or free_ports(1)[0]
    publish_port, subscribe_port = free_ports(2)
    engine = EngineProcess(example_command() + ["--no-launch", "--plugin-port", plugin_port,
                                                "--publish-port", publish_port, "--subscribe-port", subscribe_port])
    try:
        engine.wait_ready(START_TIMEOUT)
        yield engine, plugin_port
    finally:
        engine.close()


def wait_for_output(engine, text, timeout):
    """Wait until the engine printed a line containing ``text``; fail with its output otherwise."""
    import time
    deadline = time.monotonic() + timeout
    while not any(text in line for line in list(engine.stdout_lines)):
        if engine.proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"engine printed no line with {text!r} within {timeout} s\n{engine.output()}")
        time.sleep(0.02)
