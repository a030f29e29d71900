"""
A small library for developing event-engine plugins in Python (the original ``pyevents`` helper).

These four functions keep the names, arguments and behaviour of the original Rust event-engine's
helper, so plugins written for it run unchanged against EventEngine.Actors. The only difference:
the default host is the environment variable ``EVENT_ENGINE_HOST`` (read when the socket is made),
else ``127.0.0.1`` (the original defaulted to ``engine``, a docker network name). Diagnostics go
through :mod:`logging` (logger ``pyevents.events``) instead of ``print``.

The basic usage is as follows::

    import zmq
    from events import get_plugin_socket, get_next_msg, publish_msg, send_quit_command

    context = zmq.Context()
    # the REQ socket your plugin uses to talk to the engine; pass the port configured for your plugin
    socket = get_plugin_socket(context, port)

    while True:
        msg_bytes = get_next_msg(socket)       # the next event frame: filter + payload
        # ... do something with the message ...
        publish_msg(socket, some_bytes)        # publish an event frame
        if some_condition:
            break

    send_quit_command(socket)                  # tell the engine this plugin is done

This module imports nothing from its package, so it works both as ``from events import ...``
(with the folder ``pyevents/pyevents`` on ``PYTHONPATH``) and as ``from pyevents.events import ...``.
For batching, timeouts that keep the connection usable, and MessagePack events see
:class:`pyevents.EngineClient`.
"""
import logging
import os
import time

import zmq

__all__ = ["get_plugin_socket", "get_next_msg", "publish_msg", "send_quit_command",
           "default_host", "DEFAULT_HOST", "HOST_ENV"]

log = logging.getLogger("pyevents.events")

#: Host used when neither the ``host`` argument nor ``EVENT_ENGINE_HOST`` is given.
DEFAULT_HOST = "127.0.0.1"
#: Environment variable naming the engine's host (set by the engine for plugins it launches).
HOST_ENV = "EVENT_ENGINE_HOST"


def default_host():
    """Return ``$EVENT_ENGINE_HOST`` if set and non-empty, else ``127.0.0.1``."""
    return os.environ.get(HOST_ENV) or DEFAULT_HOST


def get_plugin_socket(context, port, host=None):
    """
    Create a ``zmq.REQ`` socket from ``context`` connected to ``tcp://host:port`` and return it.

    ``port`` is the TCP port the engine configured for this plugin. ``host`` defaults to
    :func:`default_host` (``$EVENT_ENGINE_HOST``, else ``127.0.0.1``), read at call time.
    """
    if host is None:
        host = default_host()
    plugin_socket = context.socket(zmq.REQ)
    plugin_socket_connect_str = f"tcp://{host}:{port}"
    plugin_socket.connect(plugin_socket_connect_str)
    log.debug("plugin socket connected to %s", plugin_socket_connect_str)
    return plugin_socket


def get_next_msg(socket, timeout=-1):
    """
    Get the next message for this plugin.

    Blocks until the next message is returned, or until ``timeout`` milliseconds have passed
    (``-1``, the default, waits forever). The timeout is set as the socket's ``RCVTIMEO`` and stays
    set. If it is reached before a message is ready, ``zmq.error.Again`` ("Resource temporarily
    unavailable") is raised; as in the original, the REQ socket then still waits for that reply and
    cannot send a new request (use :meth:`pyevents.EngineClient.next_event`, whose timeout is
    served by the engine, when you need to carry on after a timeout).

    Returns the raw bytes of the event frame (filter prefix included); they will typically need to
    be converted into the message format of your application.
    """
    log.debug("requesting the next message")
    socket.RCVTIMEO = timeout
    try:
        socket.send_string("plugin_command: next_msg")
    except Exception as e:
        log.error("got exception trying to send next_msg command; details: %s", e)
        raise
    data = socket.recv()
    log.debug("got the next message (%d bytes)", len(data))
    return data


def publish_msg(socket, data):
    """
    Publish a new message.

    ``data`` should be a raw byte array: the event frame, filter prefix included. Sending is retried
    every 0.1 s while zmq reports ``EAGAIN``, as in the original. Returns the reply from the engine
    as a string (``event-engine: msg published`` on success; anything else is logged as a warning).
    """
    while True:
        try:
            socket.send(data, zmq.NOBLOCK)
            break
        except zmq.ZMQError as e:
            if e.errno == zmq.EAGAIN:
                time.sleep(0.1)
            else:
                log.error("got exception trying to publish a new message; details: %s", e)
                raise
    # wait for the reply
    reply = socket.recv_string()
    if "event-engine: msg published" not in reply:
        log.warning("unexpected response from engine when trying to publish a message; response: %s", reply)
    return reply


def send_quit_command(socket):
    """
    Tell the engine that this plugin is going to terminate execution.

    Sends ``plugin_command: quit``; the engine sends no reply and none is awaited.
    """
    try:
        socket.send_string("plugin_command: quit")
    except Exception as e:
        log.error("got exception trying to send quit command; details: %s", e)
        raise
