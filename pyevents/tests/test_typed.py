"""EventTypes: names, field naming, value mapping, errors; the typed client calls, against the fake engine."""
import dataclasses
import datetime as dt
import enum
import pickle
import uuid
from decimal import Decimal
from typing import Optional

import msgpack
import pytest

from pyevents import (DECIMAL_TEXT, UTF8_TEXT, EngineClient, EngineError, EventDecodeError, EventTypes,
                      pascal_case)
from pyevents.testing import FakeEngine


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 7


@dataclasses.dataclass
class Order:
    order_id: str
    qty: int
    level: Level = Level.LOW
    when: Optional[dt.datetime] = None


@dataclasses.dataclass
class Shipped:
    order_id: str
    total: Decimal
    ref: uuid.UUID = dataclasses.field(default=uuid.UUID(int=1), metadata={"name": "REF"})


@dataclasses.dataclass
class Renamed:
    __event_type__ = "OrderV2"
    id: str


@dataclasses.dataclass
class Count:
    n: int
    __event_codec__ = DECIMAL_TEXT


def test_pascal_case():
    assert [pascal_case(n) for n in ["order_id", "id", "Id", "qty", "a_b_c", "_private"]] == \
        ["OrderId", "Id", "Id", "Qty", "ABC", "Private"]


def test_encode_uses_type_name_filter_pascal_case_and_csharp_values():
    types = EventTypes(Order, Shipped, Renamed)
    frame = types.encode(Order("a1", 3, Level.HIGH, dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)))
    assert frame.startswith(b"Order")
    data = msgpack.unpackb(frame[5:], timestamp=3)
    assert data == {"OrderId": "a1", "Qty": 3, "Level": 7, "When": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)}
    shipped = types.encode(Shipped("a1", Decimal("7.50")))
    assert msgpack.unpackb(shipped[7:]) == {"OrderId": "a1", "Total": "7.50", "REF": str(uuid.UUID(int=1))}
    assert types.encode(Renamed("x")).startswith(b"OrderV2")
    assert types.name_of(Renamed("x")) == "OrderV2"


def test_decode_round_trip_and_longest_filter_and_raw_frames():
    types = EventTypes(Order, Shipped, Renamed, filters={"OrderV2": "OrderV2"})
    for value in [Order("a1", 3), Shipped("b", Decimal("1.5")), Renamed("z"),
                  Order("c", 1, Level.HIGH, dt.datetime(2026, 5, 6, tzinfo=dt.timezone.utc))]:
        assert types.decode(types.encode(value)) == value
    assert types.decode(b"Unknown stuff") == b"Unknown stuff"


def test_naming_can_be_replaced():
    types = EventTypes(Order, naming=str)
    assert msgpack.unpackb(types.encode(Order("a", 1))[5:])["order_id"] == "a"


def test_text_codecs():
    @dataclasses.dataclass
    class TypeA:
        text: str
        __event_codec__ = UTF8_TEXT

    types = EventTypes(TypeA, Count)
    assert types.encode(TypeA("héllo")) == "TypeAhéllo".encode()
    assert types.encode(Count(-17)) == b"Count-17"
    assert types.decode(b"Count17") == Count(17)
    with pytest.raises(EventDecodeError, match="not an integer"):
        types.decode(b"Count1x")


@pytest.mark.parametrize("value, message", [
    (Order("a", 1, when=dt.datetime(2026, 1, 1)), "naive datetime 2026-01-01T00:00:00 refused"),
    (Shipped("a", Decimal("NaN")), "no C# decimal"),
])
def test_values_csharp_cannot_take_are_refused_with_a_clear_message(value, message):
    with pytest.raises((TypeError, ValueError), match=message):
        EventTypes(Order, Shipped).encode(value)


def test_a_string_enum_is_refused():
    @dataclasses.dataclass
    class Paint:
        colour: Colour

    with pytest.raises(TypeError, match="non-integer value 'red'.*integer values"):
        EventTypes(Paint).encode(Paint(Colour.RED))


def test_decode_errors_name_the_type_and_property():
    types = EventTypes(Order)
    with pytest.raises(EventDecodeError, match="Order.*missing property 'Qty'"):
        types.decode(b"Order" + msgpack.packb({"OrderId": "a"}))
    with pytest.raises(EventDecodeError, match="Order.Qty: expected int, got str"):
        types.decode(b"Order" + msgpack.packb({"OrderId": "a", "Qty": "three"}))
    with pytest.raises(EventDecodeError, match="Order.Level: 3 is not a value of Level"):
        types.decode(b"Order" + msgpack.packb({"OrderId": "a", "Qty": 1, "Level": 3}))
    with pytest.raises(EventDecodeError):
        types.decode(b"Order\xc1")


def test_unregistered_and_non_dataclass_types():
    with pytest.raises(TypeError, match="dataclass"):
        EventTypes(int)
    with pytest.raises(KeyError, match="Shipped is not a registered event type"):
        EventTypes(Order).encode(Shipped("a", Decimal(1)))
    with pytest.raises(ValueError, match="not registered"):
        EventTypes(Order, filters={"Nope": "N"})


def test_errors_can_be_pickled():
    for error in [EventDecodeError("Order", ValueError("bad")), EngineError("queue full", b"event-engine: bad msg: queue full")]:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error)


def test_typed_client_infers_names_and_iterates_typed_events():
    types = EventTypes(Order, Shipped)
    with FakeEngine(subscriptions=["Order"]) as engine:
        engine.push_event(Order("a1", 2))
        engine.push(b"Orderly but not msgpack \xc1")  # matches the Order filter: a decode error, not a crash
        with EngineClient(engine.port, types=types, linger=1) as client:
            it = iter(client)
            assert next(it) == Order("a1", 2)
            with pytest.raises(EventDecodeError):
                next(it)
            client.publish_event(Shipped("a1", Decimal("9.90")))       # the type name is inferred
            client.publish_event("Cancel", {"OrderId": "a1"})            # a dict, as it is
        assert engine.published_events(types) == [Shipped("a1", Decimal("9.90")),
                                                   b"Cancel" + msgpack.packb({"OrderId": "a1"})]


def test_typed_events_needs_types():
    with FakeEngine() as engine:
        with EngineClient(engine.port, linger=0) as client:
            with pytest.raises(ValueError, match="types=EventTypes"):
                client.typed_events()
