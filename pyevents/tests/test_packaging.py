"""pyproject.toml: the package installs with pip --no-build-isolation into a venv with system site packages."""
import pathlib
import shutil
import subprocess
import sys
import venv

PROJECT = pathlib.Path(__file__).resolve().parents[1]


def test_pip_install_in_a_venv(tmp_path):
    source = tmp_path / "src"
    shutil.copytree(PROJECT, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__",
                                                                     ".pytest_cache", "tests"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    # the venv sees the system's pip, pyzmq and msgpack through its system site packages
    install = subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index",
                              str(source)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert install.returncode == 0, install.stdout + install.stderr
    check = subprocess.run([str(python), "-c", "import importlib.metadata, pathlib, pyevents, pyevents.events, "
                            "pyevents.client, pyevents.testing, pyevents.pytest_plugin; import zmq, msgpack; "
                            "print(pyevents.__file__); print(importlib.metadata.version('pyevents') == pyevents.__version__); "
                            "print((pathlib.Path(pyevents.__file__).parent / 'py.typed').exists())"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    location, same_version, typed = check.stdout.splitlines()
    assert str(env_dir) in location
    assert same_version == "True"  # one version source: pyevents.__version__
    assert typed == "True"  # py.typed is installed
