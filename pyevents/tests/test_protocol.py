"""Pure unit tests of the wire helpers (no sockets, no engine)."""
import dataclasses
import datetime
import enum
import struct
from collections import namedtuple

import msgpack
import pytest

from pyevents import protocol as p
from pyevents.errors import EngineError, EventDecodeError, ProtocolError


# ------------------------------------------------------------------ requests

def test_constants_are_the_documented_bytes():
    assert p.NEXT_MSG == b"plugin_command: next_msg"
    assert p.QUIT == b"plugin_command: quit"
    assert p.PUBLISH_BATCH_HEADER == b"plugin_command: publish_batch\n"
    assert p.MSG_PUBLISHED == b"event-engine: msg published"
    assert p.TIMEOUT_REPLY == b"event-engine: timeout"


@pytest.mark.parametrize("seconds, ms", [(0, 0), (0.0, 0), (1, 1000), (0.25, 250), (0.0001, 1),
                                         (2.5, 2500), (3600, 3_600_000)])
def test_wait_ms_rounds_up(seconds, ms):
    assert p.wait_ms(seconds) == ms


@pytest.mark.parametrize("bad, exc", [(-1, ValueError), (float("nan"), ValueError),
                                      (float("inf"), ValueError), ("1", TypeError),
                                      (None, TypeError), (True, TypeError)])
def test_wait_ms_rejects(bad, exc):
    with pytest.raises(exc):
        p.wait_ms(bad)


def test_next_msg_request():
    assert p.next_msg_request() == b"plugin_command: next_msg"
    assert p.next_msg_request(0) == b"plugin_command: next_msg 0"
    assert p.next_msg_request(250) == b"plugin_command: next_msg 250"
    assert p.next_msg_request(3_600_000) == b"plugin_command: next_msg 3600000"


def test_next_batch_request():
    assert p.next_batch_request(1) == b"plugin_command: next_batch 1"
    assert p.next_batch_request(65536) == b"plugin_command: next_batch 65536"
    assert p.next_batch_request(1000, 0) == b"plugin_command: next_batch 1000 0"
    assert p.next_batch_request(1000, 5000) == b"plugin_command: next_batch 1000 5000"


@pytest.mark.parametrize("args, exc", [((0,), ValueError), ((65537,), ValueError), ((-1,), ValueError),
                                       ((1.5,), TypeError), ((True,), TypeError), (("10",), TypeError),
                                       ((10, -1), ValueError), ((10, 3_600_001), ValueError),
                                       ((10, 0.5), TypeError)])
def test_next_batch_request_validates(args, exc):
    with pytest.raises(exc):
        p.next_batch_request(*args)


def test_next_msg_request_validates():
    with pytest.raises(ValueError):
        p.next_msg_request(-1)
    with pytest.raises(ValueError):
        p.next_msg_request(3_600_001)


# ------------------------------------------------------------------ publish_batch

def test_encode_publish_batch_exact_bytes():
    data = p.encode_publish_batch([b"TypeAhi", b"TypeB17"])
    assert data == (b"plugin_command: publish_batch\n"
                    b"\x00\x00\x00\x07TypeAhi"
                    b"\x00\x00\x00\x07TypeB17")


def test_encode_publish_batch_accepts_bytes_like_and_generators():
    frames = (bytearray(b"X%d" % i) for i in range(3))
    data = p.encode_publish_batch(frames)
    assert p.decode_publish_batch(data) == [b"X0", b"X1", b"X2"]
    assert p.decode_publish_batch(p.encode_publish_batch([memoryview(b"Mv")])) == [b"Mv"]


def test_publish_batch_round_trip_large():
    frames = [b"Load" + b"x" * (i % 1000) for i in range(5000)]
    assert p.decode_publish_batch(p.encode_publish_batch(frames)) == frames


@pytest.mark.parametrize("frames, exc", [([], ValueError), ([b""], ValueError), (["text"], TypeError),
                                         ([b"ok", None], TypeError)])
def test_encode_publish_batch_rejects(frames, exc):
    with pytest.raises(exc):
        p.encode_publish_batch(frames)


@pytest.mark.parametrize("data, reason", [
    (b"plugin_command: publish_batch\n", "empty batch"),
    (b"plugin_command: publish_batch\n\x00\x00", "truncated length"),
    (b"plugin_command: publish_batch\n\x00\x00\x00\x05abc", "runs past the end"),
    (b"plugin_command: publish_batch\n\x00\x00\x00\x01a\x00", "truncated length"),
    (b"plugin_command: publish_batch", "not a publish_batch"),
])
def test_decode_publish_batch_rejects(data, reason):
    with pytest.raises(ValueError, match=reason):
        p.decode_publish_batch(data)


def test_check_publishable():
    assert p.check_publishable(bytearray(b"TypeA")) == b"TypeA"
    with pytest.raises(ValueError):
        p.check_publishable(b"")
    with pytest.raises(ValueError, match="reserved"):
        p.check_publishable(b"plugin_command: quit")
    with pytest.raises(TypeError):
        p.check_publishable("TypeA")


# ------------------------------------------------------------------ replies

def test_check_bad_msg():
    p.check_bad_msg(b"event-engine: msg published")
    p.check_bad_msg(b"TypeAbad msg")
    with pytest.raises(EngineError) as info:
        p.check_bad_msg(b"event-engine: bad msg: unknown command 'frobnicate'")
    assert info.value.reason == "unknown command 'frobnicate'"
    assert "unknown command 'frobnicate'" in str(info.value)
    with pytest.raises(EngineError) as info:
        p.check_bad_msg(b"event-engine: bad msg")
    assert info.value.reason == ""


def test_parse_batch_reply():
    assert p.parse_batch_reply([b"event-engine: batch 0"]) == []
    assert p.parse_batch_reply([b"event-engine: batch 2", b"TypeA1", b"TypeB2"]) == [b"TypeA1", b"TypeB2"]


@pytest.mark.parametrize("frames", [[], [b"event-engine: batch 2", b"only one"], [b"event-engine: batch x"],
                                    [b"event-engine: batch 1"], [b"TypeA", b"TypeA"], [b"event-engine: batch -1"]])
def test_parse_batch_reply_rejects_bad_shapes(frames):
    with pytest.raises(ProtocolError):
        p.parse_batch_reply(frames)


def test_parse_batch_reply_bad_msg():
    with pytest.raises(EngineError, match="out of range"):
        p.parse_batch_reply([b"event-engine: bad msg: next_batch max out of range"])


def test_parse_batch_published_reply():
    assert p.parse_batch_published_reply(b"event-engine: batch published 42") == 42
    with pytest.raises(EngineError, match="truncated"):
        p.parse_batch_published_reply(b"event-engine: bad msg: truncated length")
    with pytest.raises(ProtocolError):
        p.parse_batch_published_reply(b"event-engine: msg published")


# ------------------------------------------------------------------ MessagePack events

@dataclasses.dataclass
class Order:
    Id: str
    Qty: int


@dataclasses.dataclass
class Basket:
    Owner: str
    Orders: list


class Color(enum.Enum):
    RED = 1


Point = namedtuple("Point", "X Y")


class Plain:
    def __init__(self):
        self.Name = "n"
        self._hidden = 1


def test_encode_event_is_filter_then_msgpack_map():
    frame = p.encode_event("Order", {"Id": "a1", "Qty": 3})
    assert frame.startswith(b"Order")
    assert msgpack.unpackb(frame[5:]) == {"Id": "a1", "Qty": 3}
    # a map (fixmap of 2 entries), keyed by the property names, in the given order
    assert frame[5] == 0x82
    assert frame == b"Order" + msgpack.packb({"Id": "a1", "Qty": 3})


@pytest.mark.parametrize("value, expected", [
    (Order("a1", 3), {"Id": "a1", "Qty": 3}),
    (Point(1, 2), {"X": 1, "Y": 2}),
    (Plain(), {"Name": "n"}),
    (Basket("me", [Order("a", 1)]), {"Owner": "me", "Orders": [{"Id": "a", "Qty": 1}]}),
    ({"C": Color.RED, "S": {3}, "B": b"\x00\x01", "N": None, "F": 1.5}, {"C": 1, "S": [3], "B": b"\x00\x01",
                                                                        "N": None, "F": 1.5}),
])
def test_encode_payload_shapes(value, expected):
    assert msgpack.unpackb(p.encode_payload(value), raw=False) == expected


def test_encode_payload_datetime_is_a_timestamp():
    when = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
    data = p.encode_payload({"At": when})
    assert b"\xd6\xff" in data  # fixext4, type -1: the MessagePack timestamp C# reads as DateTime
    assert msgpack.unpackb(data, timestamp=3) == {"At": when}


@pytest.mark.parametrize("value", [42, "text", [1, 2], Order, {"x": object()}])
def test_encode_payload_rejects(value):
    with pytest.raises(TypeError):
        p.encode_payload(value)


def test_encode_event_filter_options():
    assert p.encode_event("Order", {}, filter="ORD").startswith(b"ORD\x80")
    assert p.encode_event("Order", {}, filter=b"\x01\x02") == b"\x01\x02\x80"
    with pytest.raises(ValueError):
        p.encode_event("Ordér", {})
    with pytest.raises(ValueError):
        p.encode_event("", {})
    with pytest.raises(ValueError):
        p.encode_event("Order", {}, filter="plugin_command: x")


def test_decode_event_longest_filter_wins():
    frame = p.encode_event("TypeAB", {"V": 1})
    assert p.decode_event(frame, ["TypeA", "TypeAB"]) == ("TypeAB", {"V": 1})
    assert p.decode_event(frame, ["TypeAB", "TypeA"]) == ("TypeAB", {"V": 1})
    # with only the shorter filter registered, the frame is that type (prefix semantics)
    assert p.decode_event(p.encode_event("TypeA", {"V": 2}), ["TypeA"]) == ("TypeA", {"V": 2})


def test_decode_event_raw_when_nothing_matches():
    assert p.decode_event(b"TypeCGoodbye", ["TypeA", "TypeB"]) == (None, b"TypeCGoodbye")
    assert p.decode_event(b"TypeC", []) == (None, b"TypeC")


def test_decode_event_with_filter_mapping():
    frame = b"ORD" + msgpack.packb({"Id": "z"})
    assert p.decode_event(frame, {"Order": "ORD", "Other": b"OT"}) == ("Order", {"Id": "z"})


def test_decode_event_round_trips_encode_event():
    when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    frame = p.encode_event("Order", {"Id": "q", "At": when, "Raw": b"\xff"})
    assert p.decode_event(frame, ["Order"]) == ("Order", {"Id": "q", "At": when, "Raw": b"\xff"})


@pytest.mark.parametrize("frame", [b"Order", b"Order\xc1", b"Order\x92\x01", b"Order\x01\x02"])
def test_decode_event_bad_payload(frame):
    with pytest.raises(EventDecodeError, match="'Order'") as info:
        p.decode_event(frame, ["Order"])
    assert info.value.type_name == "Order"
    assert isinstance(info.value, ValueError)


def test_decode_event_rejects_a_single_name():
    with pytest.raises(TypeError):
        p.decode_event(b"TypeA", "TypeA")


def test_length_prefix_is_big_endian_unsigned():
    data = p.encode_publish_batch([b"a" * 300])
    assert struct.unpack(">I", data[30:34]) == (300,)
    assert len(p.PUBLISH_BATCH_HEADER) == 30


# ------------------------------------------------------------------ traceparents (fast mode, optional)

TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_traced_requests_are_the_documented_bytes():
    assert p.next_batch_request(1000, 250, traceparents=True) == b"plugin_command: next_batch 1000 250 traceparents"
    assert p.next_batch_request(5, traceparents=True) == b"plugin_command: next_batch 5 traceparents"
    assert p.next_batch_request(5) == b"plugin_command: next_batch 5"  # unchanged without the flag
    request = p.encode_publish_batch([b"TypeB17"], TP)
    assert request == b"plugin_command: publish_batch " + TP.encode() + b"\n\x00\x00\x00\x07TypeB17"
    assert p.decode_publish_batch(request) == [b"TypeB17"]


def test_traced_batch_reply_gives_each_frame_its_traceparent():
    frames = p.parse_batch_reply([b"event-engine: batch 2 traceparents", b"TypeA1", b"TypeB2", TP.encode() + b"\n"])
    assert frames == [b"TypeA1", b"TypeB2"]
    assert [f.traceparent for f in frames] == [TP, None]
    assert isinstance(frames[0], bytes) and isinstance(frames[0], p.TracedFrame)


def test_an_untraced_reply_to_a_traced_request_has_no_traceparents():
    frames = p.parse_batch_reply([b"event-engine: batch 1", b"TypeA1"], traced=True)
    assert frames == [b"TypeA1"] and frames[0].traceparent is None
    assert type(p.parse_batch_reply([b"event-engine: batch 1", b"TypeA1"])[0]) is bytes


@pytest.mark.parametrize("reply", [
    [b"event-engine: batch 2 traceparents", b"TypeA1", b"TypeB2"],             # trailer missing
    [b"event-engine: batch 2 traceparents", b"TypeA1", b"TypeB2", TP.encode()],  # one traceparent for two events
])
def test_malformed_traced_batch_replies(reply):
    with pytest.raises(ProtocolError):
        p.parse_batch_reply(reply)


@pytest.mark.parametrize("bad", ["", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",
                                 "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",
                                 "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                                 "00-00000000000000000000000000000000-b7ad6b7169203331-01",
                                 "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", TP + "\n"])
def test_malformed_traceparents_are_refused_before_sending(bad):
    with pytest.raises(ValueError, match="not a W3C traceparent"):
        p.encode_publish_batch([b"TypeA"], bad)
