"""
The README's examples run as written: every code block whose first line is ``# file: NAME`` is
written to a temporary folder; the plugins run against the fake engine, the test files with pytest.
"""
import os
import pathlib
import re
import subprocess
import sys
from decimal import Decimal

import pytest

from pyevents import EventTypes
from pyevents.testing import FakeEngine

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
PYEVENTS = README.parent
BLOCK = re.compile(r"```python\n# file: (\S+)\n(.*?)```", re.S)


@pytest.fixture
def snippets(tmp_path):
    files = dict(BLOCK.findall(README.read_text(encoding="utf-8")))
    assert {"quickstart.py", "async_quickstart.py", "shipping.py", "test_shipping.py"} <= set(files), sorted(files)
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    # the async example imports the first example's dataclasses: the first example without its plugin code
    quickstart = files["quickstart.py"]
    (tmp_path / "quickstart_types.py").write_text(quickstart[:quickstart.index("logging.basicConfig")], encoding="utf-8")
    return tmp_path


def run_plugin(folder, script, engine):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PYEVENTS), str(folder)]), EVENT_ENGINE_PORT=str(engine.port))
    result = subprocess.run([sys.executable, script], cwd=folder, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("script", ["quickstart.py", "async_quickstart.py"])
def test_the_quickstarts_answer_an_order(snippets, script):
    import importlib.util
    spec = importlib.util.spec_from_file_location("quickstart_types", snippets / "quickstart_types.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    types = EventTypes(module.Order, module.Shipped)
    with FakeEngine(subscriptions=["Order"]) as engine:
        engine.push(types.encode(module.Order("a1", 3, Decimal("2.50"))))
        run_plugin(snippets, script, engine)
        assert engine.published_events(types)[0] == module.Shipped("a1", Decimal("7.50"))
        assert engine.quit.wait(10)


def test_the_testing_example_passes(snippets):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(PYEVENTS), str(snippets)]))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_shipping.py"],
                            cwd=snippets, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout + result.stderr
