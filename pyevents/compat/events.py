"""
The original event-engine's ``events`` helper as a top-level module, for plugins written for it::

    from events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command

It is :mod:`pyevents.events` under the name the original's plugins import. This folder holds only this file,
so putting it on ``PYTHONPATH`` (beside the folder that holds the ``pyevents`` package) adds the one name
``events`` and nothing else. The engine does this for the plugins the example launches; by hand::

    PYTHONPATH=pyevents:pyevents/compat EVENT_ENGINE_PORT=6000 /usr/bin/python3 plugin.py
"""
import sys

from pyevents import events as _events

# One module object under both names: `events.X = ...` (a test patching it) is seen by pyevents.events too.
sys.modules[__name__] = _events
