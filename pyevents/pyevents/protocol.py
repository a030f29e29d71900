"""
The wire protocol between a registered external plugin and the engine, as pure functions.

Everything here builds or parses bytes and touches no socket, so it can be tested without an
engine. The protocol itself is described in ``docs/protocol.md`` at the repository root.
"""
from __future__ import annotations

import dataclasses
import enum
import re
import struct
from collections.abc import Iterable, Mapping
from typing import Any

import msgpack

from .errors import EngineError, EventDecodeError, ProtocolError

__all__ = [
    "COMMAND_PREFIX", "REPLY_PREFIX", "NEXT_MSG", "QUIT", "PUBLISH_BATCH_HEADER", "MSG_PUBLISHED",
    "TIMEOUT_REPLY", "BAD_MSG", "BATCH_REPLY_PREFIX", "BATCH_PUBLISHED_PREFIX", "MAX_BATCH",
    "MAX_WAIT_MS", "MAX_FRAME_LENGTH",
    "ACK", "ACKED_PREFIX", "ack_request", "parse_acked_reply",
    "next_msg_request", "next_batch_request", "encode_publish_batch", "decode_publish_batch",
    "parse_batch_reply", "parse_batch_published_reply", "check_bad_msg", "check_publishable", "wait_ms",
    "TRACEPARENTS", "TracedFrame", "check_traceparent",
    "encode_payload", "encode_event", "decode_event", "filter_bytes",
]

#: Every command a plugin sends starts with this (reserved: such frames are never published).
COMMAND_PREFIX = b"plugin_command: "
#: Every reply the engine composes itself starts with this.
REPLY_PREFIX = b"event-engine: "
#: The original's request for one event; the reply is the event frame.
NEXT_MSG = COMMAND_PREFIX + b"next_msg"
#: The original's end-of-session command (no reply).
QUIT = COMMAND_PREFIX + b"quit"
#: A batch publication: this, a newline, then length-prefixed event frames, all in one frame.
PUBLISH_BATCH_HEADER = COMMAND_PREFIX + b"publish_batch\n"
#: Fast mode's explicit acknowledgement: ``plugin_command: ack <n>`` acknowledges the first n
#: unacknowledged events of the last batch (without a count: all of them).
ACK = COMMAND_PREFIX + b"ack"
#: Reply to ``ack``: this, then the decimal count of events acknowledged.
ACKED_PREFIX = REPLY_PREFIX + b"acked "
#: Reply to a single published frame.
MSG_PUBLISHED = REPLY_PREFIX + b"msg published"
#: Reply to ``next_msg <wait_ms>`` when no event came within the wait.
TIMEOUT_REPLY = REPLY_PREFIX + b"timeout"
#: Start of the reply to a request the engine refuses (``event-engine: bad msg: <reason>``).
BAD_MSG = REPLY_PREFIX + b"bad msg"
#: First frame of the reply to ``next_batch``: this, then the decimal event count.
BATCH_REPLY_PREFIX = REPLY_PREFIX + b"batch "
#: Reply to ``publish_batch``: this, then the decimal count of events published.
BATCH_PUBLISHED_PREFIX = REPLY_PREFIX + b"batch published "
#: Last argument of ``next_batch`` asking for the events' W3C traceparents, and the end of the header of
#: a reply that carries them (in one last frame, one per event, separated by LF).
TRACEPARENTS = b"traceparents"
#: Largest ``max`` a ``next_batch`` request may ask for.
MAX_BATCH = 65536
#: Largest ``wait_ms`` a request may carry (one hour).
MAX_WAIT_MS = 3_600_000
#: Largest event frame a publish_batch entry can describe (4-byte length).
MAX_FRAME_LENGTH = 0xFFFF_FFFF

_LENGTH = struct.Struct(">I")
_TRACEPARENT = re.compile(rb"(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")


class TracedFrame(bytes):
    """
    An event frame (bytes, as any other) with the W3C ``traceparent`` of the engine's publish span
    (``00-<trace id>-<span id>-<flags>``), or ``None`` when the engine did not trace it. A client
    made with ``trace=True`` hands these out.
    """

    traceparent: str | None

    def __new__(cls, frame: bytes, traceparent: str | None = None) -> TracedFrame:
        self = super().__new__(cls, frame)
        self.traceparent = traceparent
        return self


def check_traceparent(value: Any) -> bytes:
    """
    Return a W3C ``traceparent`` (str or bytes: ``00-<32 hex>-<16 hex>-<2 hex>``, lower case, ids
    not all zeros) as ASCII bytes, else raise ``ValueError`` (``TypeError`` for another type).
    """
    if isinstance(value, str):
        value = value.encode("ascii", "replace")
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"a traceparent must be str or bytes, not {type(value).__name__}")
    value = bytes(value)
    if not _TRACEPARENT.fullmatch(value):
        raise ValueError(f"not a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, lower case): {value[:80]!r}")
    return value


def _check_int(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in {low}..{high}, got {value}")
    return value


def wait_ms(seconds: float) -> int:
    """
    Convert a timeout in seconds (int or float, >= 0) to whole milliseconds, rounded up so a tiny
    positive timeout still waits. Raises ``TypeError``/``ValueError`` for anything else.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise TypeError(f"timeout must be a number of seconds, not {type(seconds).__name__}")
    if not seconds >= 0 or seconds == float("inf"):  # also rejects NaN
        raise ValueError(f"timeout must be a finite number of seconds >= 0, got {seconds}")
    ms = int(seconds * 1000)
    return ms + 1 if ms < seconds * 1000 else ms


def next_msg_request(wait: int | None = None) -> bytes:
    """Bytes of ``plugin_command: next_msg`` or, with ``wait`` milliseconds, ``... next_msg <wait>``."""
    if wait is None:
        return NEXT_MSG
    _check_int("wait_ms", wait, 0, MAX_WAIT_MS)
    return b"%s %d" % (NEXT_MSG, wait)


def next_batch_request(max_events: int, wait: int | None = None, traceparents: bool = False) -> bytes:
    """
    Bytes of ``plugin_command: next_batch <max>`` or ``... next_batch <max> <wait_ms>``; with
    ``traceparents``, followed by `` traceparents`` (the reply says which trace each event is in).
    """
    _check_int("max_events", max_events, 1, MAX_BATCH)
    request = b"%snext_batch %d" % (COMMAND_PREFIX, max_events)
    if wait is not None:
        _check_int("wait_ms", wait, 0, MAX_WAIT_MS)
        request += b" %d" % wait
    return request + b" " + TRACEPARENTS if traceparents else request


def ack_request(count: int | None = None) -> bytes:
    """Bytes of ``plugin_command: ack`` or ``plugin_command: ack <count>``."""
    if count is None:
        return ACK
    _check_int("count", count, 0, MAX_BATCH)
    return b"%s %d" % (ACK, count)


def _as_frame(frame: Any) -> bytes:
    if not isinstance(frame, (bytes, bytearray, memoryview)):
        raise TypeError(f"an event frame must be bytes-like, not {type(frame).__name__}")
    frame = bytes(frame)
    if not frame:
        raise ValueError("an event frame cannot be empty: it starts with its filter")
    return frame


def check_publishable(frame: Any) -> bytes:
    """
    Return ``frame`` as bytes if it can be published as an event, else raise.

    An event frame is non-empty bytes and must not start with ``plugin_command: `` (the engine
    would read it as a command).
    """
    frame = _as_frame(frame)
    if frame.startswith(COMMAND_PREFIX):
        raise ValueError("an event frame cannot start with the reserved prefix 'plugin_command: '")
    return frame


def encode_publish_batch(frames: Iterable[bytes], traceparent: str | bytes | None = None) -> bytes:
    """
    Build one ``publish_batch`` request: ``plugin_command: publish_batch`` + ``\\n``, then for each
    event frame its length as a 4-byte big-endian unsigned int followed by the frame's bytes. With
    a W3C ``traceparent`` the header is ``plugin_command: publish_batch <traceparent>`` + ``\\n``:
    the engine's publish spans of these events are its children.

    Raises ``ValueError`` for zero frames, an empty/oversized frame or a malformed traceparent,
    ``TypeError`` for non-bytes.
    """
    parts = [PUBLISH_BATCH_HEADER if traceparent is None
             else PUBLISH_BATCH_HEADER[:-1] + b" " + check_traceparent(traceparent) + b"\n"]
    count = 0
    for frame in frames:
        frame = _as_frame(frame)
        if len(frame) > MAX_FRAME_LENGTH:
            raise ValueError(f"an event frame of {len(frame)} bytes does not fit a 4-byte length")
        parts.append(_LENGTH.pack(len(frame)))
        parts.append(frame)
        count += 1
    if count == 0:
        raise ValueError("a batch needs at least one event")
    return b"".join(parts)


def decode_publish_batch(request: bytes) -> list[bytes]:
    """
    Parse a ``publish_batch`` request back into its event frames (the engine's side, kept here as
    the reference parser for tests and tools). Raises ``ValueError`` whose message is the reason
    the engine gives for a malformed batch.
    """
    traced_header = PUBLISH_BATCH_HEADER[:-1] + b" "
    if request.startswith(PUBLISH_BATCH_HEADER):
        pos = len(PUBLISH_BATCH_HEADER)
    elif request.startswith(traced_header) and b"\n" in request:
        pos = request.index(b"\n") + 1
        check_traceparent(request[len(traced_header):pos - 1])
    else:
        raise ValueError("not a publish_batch request")
    view = memoryview(request)
    end = len(request)
    frames: list[bytes] = []
    while pos < end:
        if end - pos < 4:
            raise ValueError(f"truncated length at byte {pos}")
        (length,) = _LENGTH.unpack_from(view, pos)
        pos += 4
        if length > end - pos:
            raise ValueError(f"event {len(frames)} length {length} runs past the end")
        frames.append(bytes(view[pos:pos + length]))
        pos += length
    if not frames:
        raise ValueError("empty batch")
    return frames


def check_bad_msg(reply: bytes) -> None:
    """Raise :class:`EngineError` if ``reply`` is ``event-engine: bad msg`` or ``...: <reason>``."""
    if reply == BAD_MSG:
        raise EngineError("", reply)
    if reply.startswith(BAD_MSG + b": "):
        raise EngineError(reply[len(BAD_MSG) + 2:].decode("ascii", "replace"), reply)


def _parse_count(reply: bytes, prefix: bytes, what: str) -> int:
    digits = reply[len(prefix):]
    if not reply.startswith(prefix) or not digits.isdigit():
        raise ProtocolError(f"unexpected reply to {what}: {reply[:80]!r}")
    return int(digits)


def parse_batch_reply(frames: list[bytes], traced: bool = False) -> list[bytes]:
    """
    Check the multipart reply to ``next_batch`` (header ``event-engine: batch <n>`` then n event
    frames; or ``event-engine: batch <n> traceparents``, n event frames and the frame of their
    traceparents) and return the event frames. With ``traced`` (the request asked for
    traceparents) they are :class:`TracedFrame` objects, ``traceparent`` None where the engine gave
    none. A single ``bad msg`` frame raises :class:`EngineError`; any other shape raises
    :class:`ProtocolError`.
    """
    if not frames:
        raise ProtocolError("empty reply to next_batch")
    header = bytes(frames[0])
    if len(frames) == 1:
        check_bad_msg(header)
    suffix = b" " + TRACEPARENTS
    has_trailer = header.endswith(suffix)
    n = _parse_count(header[:-len(suffix)] if has_trailer else header, BATCH_REPLY_PREFIX, "next_batch")
    events = frames[1:-1] if has_trailer else frames[1:]
    if n != len(events):
        raise ProtocolError(f"batch header announces {n} events but {len(events)} frames followed")
    if not has_trailer:
        return [TracedFrame(f) for f in events] if traced else [bytes(f) for f in events]
    lines = bytes(frames[-1]).split(b"\n")
    if len(lines) != n:
        raise ProtocolError(f"batch of {n} events came with {len(lines)} traceparents")
    return [TracedFrame(f, line.decode("ascii") if line else None) for f, line in zip(events, lines)]


def parse_batch_published_reply(reply: bytes) -> int:
    """Return n from ``event-engine: batch published <n>``; ``bad msg`` raises :class:`EngineError`."""
    check_bad_msg(reply)
    return _parse_count(reply, BATCH_PUBLISHED_PREFIX, "publish_batch")


def parse_acked_reply(reply: bytes) -> int:
    """Return n from ``event-engine: acked <n>``; ``bad msg`` raises :class:`EngineError`."""
    check_bad_msg(reply)
    return _parse_count(reply, ACKED_PREFIX, "ack")


# ---------------------------------------------------------------- MessagePack events

def filter_bytes(value: str | bytes | bytearray | memoryview) -> bytes:
    """An event filter as bytes: a ``str`` is encoded as ASCII; bytes are taken as they are."""
    if isinstance(value, str):
        try:
            out = value.encode("ascii")
        except UnicodeEncodeError:
            raise ValueError(f"filter {value!r} is not ASCII; pass bytes for a binary filter") from None
    elif isinstance(value, (bytes, bytearray, memoryview)):
        out = bytes(value)
    else:
        raise TypeError(f"a filter must be str or bytes, not {type(value).__name__}")
    if not out:
        raise ValueError("a filter cannot be empty")
    if out.startswith(COMMAND_PREFIX):
        raise ValueError("a filter cannot start with the reserved prefix 'plugin_command: '")
    return out


def _default(obj: Any) -> Any:
    """msgpack hook for values it cannot pack itself."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    raise TypeError(f"cannot encode a {type(obj).__name__} as MessagePack")


def _as_mapping(obj: Any) -> dict:
    if isinstance(obj, Mapping):
        return dict(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, tuple) and hasattr(obj, "_asdict"):  # namedtuple
        return obj._asdict()
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise TypeError(f"an event must be a dict, dataclass, namedtuple or object, not {type(obj).__name__}")


def encode_payload(obj: Any) -> bytes:
    """
    Encode an event's payload as a MessagePack map keyed by property name, as the C# engine's
    contract-less MessagePack codec reads and writes a record (keys are case-sensitive C# property
    names). ``obj`` is a dict, a dataclass, a namedtuple or an object (its public attributes).
    Timezone-aware ``datetime`` values become MessagePack timestamps (C# ``DateTime``).
    """
    return msgpack.packb(_as_mapping(obj), use_bin_type=True, datetime=True, default=_default)


def encode_event(type_name: str, obj: Any, filter: str | bytes | None = None) -> bytes:
    """
    One event frame: the filter (by default ``type_name`` in ASCII) followed by
    :func:`encode_payload` of ``obj``.
    """
    if not isinstance(type_name, str) or not type_name:
        raise ValueError("type_name must be a non-empty str")
    return filter_bytes(type_name if filter is None else filter) + encode_payload(obj)


def _filters(type_names: Any) -> list[tuple[str, bytes]]:
    if isinstance(type_names, (str, bytes)):
        raise TypeError("type_names must be a collection of names (or a mapping name -> filter), not one name")
    if isinstance(type_names, Mapping):
        return [(name, filter_bytes(f)) for name, f in type_names.items()]
    return [(name, filter_bytes(name)) for name in type_names]


def decode_event(frame: bytes, type_names: Iterable[str] | Mapping[str, str | bytes]) -> tuple[str | None, Any]:
    """
    Decode an event frame as the registered type with the longest matching filter.

    ``type_names`` is a collection of type names (each its own ASCII filter) or a mapping from type
    name to filter (str or bytes). Returns ``(type_name, value)`` where ``value`` is the decoded
    MessagePack payload (a dict for a C# record), or ``(None, frame)`` (the raw frame) when no
    filter matches, as the engine does. Raises :class:`EventDecodeError` when the payload of a
    matching type is not valid MessagePack.
    """
    frame = bytes(frame)
    best = None
    for name, f in _filters(type_names):
        if frame.startswith(f) and (best is None or len(f) > len(best[1])):
            best = (name, f)
    if best is None:
        return None, frame
    name, f = best
    try:
        value = msgpack.unpackb(frame[len(f):], raw=False, timestamp=3, strict_map_key=False)
    except (ValueError, TypeError, msgpack.UnpackException) as e:
        raise EventDecodeError(name, e) from e
    return name, value
