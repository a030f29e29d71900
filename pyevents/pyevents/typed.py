"""
Typed events: Python dataclasses that travel as the C# records of the same name.

The engine's C# codec is MessagePack-CSharp's contract-less resolver: a record is a MessagePack map
keyed by its property names (PascalCase, case-sensitive), and values use that library's defaults:

==================  ===========================================  ==========================
Python              on the wire                                  C#
==================  ===========================================  ==========================
``Decimal``         string (``"12.50"``)                         ``decimal``
``UUID``            string, 36 characters (``"d3b0...-..."``)    ``Guid``
``datetime``        timestamp (ext type -1), UTC                 ``DateTime`` (Kind Utc)
``date``            int: days since 0001-01-01                   ``DateOnly``
``Enum``            its int value                                an ``enum``
dataclass           map keyed by C# property names               a record / class
``list``/``dict``   array / map                                  ``T[]``, ``List<T>`` / ``Dictionary``
==================  ===========================================  ==========================

A naive ``datetime`` (no ``tzinfo``) is refused with a :class:`TypeError`: C# would not know which
zone it is in. Decoded datetimes are aware, in UTC. An ``Enum`` whose values are not ints is
refused (C# sends enums as their number).

Payload formats (a class chooses one with ``__event_codec__``, as a C# event type chooses its
codec): :data:`MESSAGEPACK` (the default, above), :data:`UTF8_TEXT` (one ``str`` field as UTF-8
text, C#'s ``EventType.Utf8Text``) and :data:`DECIMAL_TEXT` (one ``int`` field in ASCII decimal,
C#'s ``EventType.Decimal``), the formats of the original's example events.

Field names map snake_case -> PascalCase (``order_id`` -> ``OrderId``); a field can name its C#
property itself with ``dataclasses.field(metadata={"name": "OrderID"})``, and ``naming=`` replaces
the policy. The event type's name (and default filter) is the class name, or ``__event_type__``.

Example::

    @dataclass
    class Order:
        order_id: str
        qty: int

    types = EventTypes(Order)
    frame = types.encode(Order("a1", 3))      # b"Order" + {"OrderId": "a1", "Qty": 3}
    assert types.decode(frame) == Order("a1", 3)
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import typing
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import msgpack

from .errors import EventDecodeError
from .protocol import filter_bytes

__all__ = ["EventTypes", "Codec", "MESSAGEPACK", "UTF8_TEXT", "DECIMAL_TEXT", "pascal_case", "to_wire", "from_wire"]

_UTC = dt.timezone.utc
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def pascal_case(name: str) -> str:
    """``order_id`` -> ``OrderId``; a name without underscores only gets its first letter capitalised."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or name


def _wire_names(cls: type, naming: Callable[[str], str]) -> list[tuple[str, str]]:
    """(python field name, C# property name) of a dataclass's fields."""
    return [(f.name, f.metadata.get("name") or naming(f.name)) for f in dataclasses.fields(cls)]


def to_wire(value: Any, naming: Callable[[str], str] = pascal_case, where: str = "value") -> Any:
    """
    Convert ``value`` to what msgpack packs the way C#'s MessagePack defaults read it (see the
    module's table). ``where`` names the value in error messages.
    """
    if value is None or isinstance(value, (bool, int, float, str, bytes)) and not isinstance(value, enum.Enum):
        return value
    if isinstance(value, enum.Enum):
        if isinstance(value.value, int) and not isinstance(value.value, bool):
            return value.value
        raise TypeError(f"{where}: enum {value!r} has a non-integer value {value.value!r}; C#'s MessagePack sends "
                        "enums as their number, so give the Python Enum the C# enum's integer values")
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{where}: {value} has no C# decimal equivalent")
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise TypeError(f"{where}: naive datetime {value.isoformat()} refused: C# would not know its zone; "
                            "make it aware (e.g. datetime.now(timezone.utc) or value.replace(tzinfo=timezone.utc))")
        return value.astimezone(_UTC)
    if isinstance(value, dt.date):
        return value.toordinal() - 1  # DateOnly.DayNumber: days since 0001-01-01
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {wire: to_wire(getattr(value, py), naming, f"{where}.{py}") for py, wire in _wire_names(type(value), naming)}
    if isinstance(value, dict):
        return {to_wire(k, naming, where): to_wire(v, naming, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_wire(v, naming, f"{where}[{i}]") for i, v in enumerate(value)]
    raise TypeError(f"{where}: cannot send a {type(value).__name__} as MessagePack")


def from_wire(data: Any, hint: Any, naming: Callable[[str], str] = pascal_case, where: str = "value") -> Any:
    """Convert decoded MessagePack ``data`` to the Python type ``hint`` (the inverse of :func:`to_wire`)."""
    if hint is Any or hint is None or isinstance(hint, typing.TypeVar):
        return data
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or (origin is not None and type(hint).__name__ == "UnionType"):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:
            return from_wire(data, options[0], naming, where)
        return data
    if origin in (list, tuple, set, frozenset) or origin is typing.Union:
        _expect(data, list, where, hint)
        item = args[0] if args else Any
        out = [from_wire(v, item, naming, f"{where}[{i}]") for i, v in enumerate(data)]
        return out if origin is list else origin(out)
    if origin is dict:
        _expect(data, dict, where, hint)
        k, v = args if args else (Any, Any)
        return {from_wire(a, k, naming, where): from_wire(b, v, naming, f"{where}[{a!r}]") for a, b in data.items()}
    if not isinstance(hint, type):
        return data
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(data, hint, naming, where)
    if issubclass(hint, enum.Enum):
        try:
            return hint(data)
        except ValueError:
            raise ValueError(f"{where}: {data!r} is not a value of {hint.__name__}") from None
    if hint is decimal.Decimal:
        if isinstance(data, (str, int, float)) and not isinstance(data, bool):
            return decimal.Decimal(str(data))
    elif hint is uuid.UUID:
        if isinstance(data, str):
            return uuid.UUID(data)
        if isinstance(data, bytes) and len(data) == 16:
            return uuid.UUID(bytes=data)
    elif hint is dt.datetime:
        if isinstance(data, dt.datetime):
            return data.astimezone(_UTC) if data.tzinfo else data.replace(tzinfo=_UTC)
        if isinstance(data, msgpack.Timestamp):
            return data.to_datetime()
    elif hint is dt.date:
        if isinstance(data, int) and not isinstance(data, bool):
            return dt.date.fromordinal(data + 1)
    elif hint is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    elif isinstance(data, hint):
        return data
    raise TypeError(f"{where}: expected {getattr(hint, '__name__', hint)}, got {type(data).__name__} {data!r:.60}")


def _expect(data: Any, kind: type, where: str, hint: Any) -> None:
    if not isinstance(data, kind):
        raise TypeError(f"{where}: expected {hint}, got {type(data).__name__} {data!r:.60}")


def _decode_dataclass(data: Any, cls: type, naming: Callable[[str], str], where: str) -> Any:
    _expect(data, dict, where, cls.__name__)
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for f, (py, wire) in zip(dataclasses.fields(cls), _wire_names(cls, naming)):
        if wire in data:
            kwargs[py] = from_wire(data[wire], hints.get(py, Any), naming, f"{where}.{wire}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING and f.init:
            raise ValueError(f"{where}: missing property '{wire}' (field {py}); got {sorted(map(str, data))}")
    return cls(**kwargs)


class Codec:
    """How an event type's payload is laid out (the Python side of a C# ``IEventCodec``)."""

    name = "codec"

    def encode(self, value: Any, naming: Callable[[str], str]) -> bytes:
        raise NotImplementedError

    def decode(self, cls: type, payload: bytes, naming: Callable[[str], str]) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<pyevents codec {self.name}>"


class _MessagePack(Codec):
    name = "MessagePack"

    def encode(self, value: Any, naming: Callable[[str], str]) -> bytes:
        return msgpack.packb(to_wire(value, naming, type(value).__name__), use_bin_type=True, datetime=True)

    def decode(self, cls: type, payload: bytes, naming: Callable[[str], str]) -> Any:
        data = msgpack.unpackb(payload, raw=False, timestamp=3, strict_map_key=False)
        return _decode_dataclass(data, cls, naming, EventTypes.type_name(cls))


class _OneField(Codec):
    """A payload that is one field's value as text."""

    def _field(self, cls: type) -> str:
        fields = dataclasses.fields(cls)
        if len(fields) != 1:
            raise TypeError(f"{cls.__name__}: the {self.name} codec needs a dataclass of exactly one field, "
                            f"not {len(fields)}")
        return fields[0].name

    def encode(self, value: Any, naming: Callable[[str], str]) -> bytes:
        return self.to_text(getattr(value, self._field(type(value))), type(value).__name__)

    def decode(self, cls: type, payload: bytes, naming: Callable[[str], str]) -> Any:
        return cls(**{self._field(cls): self.from_text(payload)})

    def to_text(self, field: Any, where: str) -> bytes:
        raise NotImplementedError

    def from_text(self, payload: bytes) -> Any:
        raise NotImplementedError


class _Utf8Text(_OneField):
    name = "UTF-8 text"

    def to_text(self, field: Any, where: str) -> bytes:
        if not isinstance(field, str):
            raise TypeError(f"{where}: the UTF-8 text codec sends a str, not {type(field).__name__}")
        return field.encode("utf-8")

    def from_text(self, payload: bytes) -> Any:
        return payload.decode("utf-8")


class _DecimalText(_OneField):
    name = "decimal text"

    def to_text(self, field: Any, where: str) -> bytes:
        if isinstance(field, bool) or not isinstance(field, int) or not -(1 << 63) <= field < 1 << 63:
            raise TypeError(f"{where}: the decimal text codec sends a 64-bit int, not {field!r}")
        return b"%d" % field

    def from_text(self, payload: bytes) -> Any:
        digits = payload[1:] if payload[:1] == b"-" else payload
        if not digits.isdigit():
            raise ValueError(f"{payload[:40]!r} is not an integer in ASCII decimal")
        return int(payload)


#: MessagePack map keyed by C# property names (the C# default, ``MessagePackEventCodec``).
MESSAGEPACK: Codec = _MessagePack()
#: One ``str`` field as UTF-8 text (C#'s ``EventType.Utf8Text``; the original's TypeA, TypeC).
UTF8_TEXT: Codec = _Utf8Text()
#: One ``int`` field in ASCII decimal (C#'s ``EventType.Decimal``; the original's TypeB).
DECIMAL_TEXT: Codec = _DecimalText()


def codec_of(cls: type) -> Codec:
    """The codec a class declares with ``__event_codec__`` (default :data:`MESSAGEPACK`)."""
    codec = getattr(cls, "__event_codec__", MESSAGEPACK)
    if not isinstance(codec, Codec):
        raise TypeError(f"{cls.__name__}.__event_codec__ must be a pyevents codec (MESSAGEPACK, UTF8_TEXT, "
                        f"DECIMAL_TEXT), not {codec!r}")
    return codec


class EventTypes:
    """
    A registry of event types: dataclasses that travel as C# records of the same name.

    ``EventTypes(Order, Cancel)``: each class's event type name (and filter) is its ``__name__``, or
    its ``__event_type__`` attribute; ``filters={"Order": "ORD"}`` overrides filters. ``naming``
    maps field names to C# property names (default :func:`pascal_case`; ``str`` keeps them).
    """

    def __init__(self, *classes: type, filters: dict[str, str | bytes] | None = None,
                 naming: Callable[[str], str] = pascal_case) -> None:
        self.naming = naming
        self._by_class: dict[type, tuple[str, bytes]] = {}
        self._by_filter: list[tuple[bytes, type]] = []
        filters = dict(filters or {})
        for cls in classes:
            self.add(cls, filters.pop(self.type_name(cls), None))
        if filters:
            raise ValueError(f"filters given for types not registered: {sorted(filters)}")

    @staticmethod
    def type_name(cls: type) -> str:
        """The C# type name of ``cls``: its ``__event_type__`` if set, else its class name."""
        return getattr(cls, "__event_type__", None) or cls.__name__

    def add(self, cls: type, filter: str | bytes | None = None) -> type:
        """Register the dataclass ``cls`` (usable as a class decorator: ``@types.add``)."""
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise TypeError(f"an event type must be a dataclass, not {cls!r}")
        codec_of(cls)  # checks __event_codec__
        name = self.type_name(cls)
        f = filter_bytes(name if filter is None else filter)
        self._by_class[cls] = (name, f)
        self._by_filter = sorted([*(x for x in self._by_filter if x[1] is not cls), (f, cls)],
                                 key=lambda x: -len(x[0]))
        return cls

    def __contains__(self, cls: object) -> bool:
        return cls in self._by_class

    def __iter__(self) -> typing.Iterator[type]:
        return iter(self._by_class)

    def name_of(self, value: Any) -> str:
        """The type name of a registered dataclass instance (a :class:`KeyError` names the unregistered class)."""
        try:
            return self._by_class[type(value)][0]
        except KeyError:
            raise KeyError(f"{type(value).__name__} is not a registered event type "
                           f"(registered: {[c.__name__ for c in self._by_class]})") from None

    def encode_payload(self, value: Any) -> bytes:
        """The payload of ``value`` (a dataclass in its class's codec, or a dict as MessagePack), as C# reads it."""
        codec = codec_of(type(value)) if dataclasses.is_dataclass(value) else MESSAGEPACK
        return codec.encode(value, self.naming)

    def encode(self, value: Any) -> bytes:
        """The event frame of a registered dataclass instance: its filter, then its payload."""
        if type(value) not in self._by_class:
            self.name_of(value)  # raises with the registered names
        return self._by_class[type(value)][1] + self.encode_payload(value)

    def decode(self, frame: bytes) -> Any:
        """
        The registered dataclass instance a frame holds (longest matching filter), or the frame
        itself (bytes) when no registered filter matches. Raises :class:`EventDecodeError` when the
        payload is not valid MessagePack or does not fit the dataclass.
        """
        frame = bytes(frame)
        for f, cls in self._by_filter:
            if frame.startswith(f):
                return self.decode_payload(cls, frame[len(f):])
        return frame

    def decode_payload(self, cls: type, payload: bytes) -> Any:
        """Decode a payload into the dataclass ``cls`` (with its class's codec)."""
        try:
            return codec_of(cls).decode(cls, bytes(payload), self.naming)
        except (ValueError, TypeError, msgpack.UnpackException) as e:
            raise EventDecodeError(self.type_name(cls), e) from e

    def decoded(self, frames: Iterable[bytes]) -> typing.Iterator[Any]:
        """Decode each frame of ``frames`` (see :meth:`decode`)."""
        return (self.decode(f) for f in frames)
