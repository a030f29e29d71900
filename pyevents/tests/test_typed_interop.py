"""
Typed events against the C# codec of the same records, both directions: the engine's
``MessagePackEventCodec`` (in ``tests/EventEngine.Actors.PyInterop``, a small console built with the
solution) encodes a sample ``Order`` that Python decodes into dataclasses, and decodes what Python
encoded from the same values.
"""
import dataclasses
import datetime as dt
import enum
import os
import pathlib
import shutil
import subprocess
import uuid
from decimal import Decimal
from typing import Optional

import pytest

from engine_process import REPO_ROOT
from pyevents import EventTypes

PROBE_DLL = REPO_ROOT / "tests/EventEngine.Actors.PyInterop/bin/Release/net10.0/EventEngine.Actors.PyInterop.dll"


class Priority(enum.IntEnum):
    LOW = 0
    NORMAL = 1
    URGENT = 5


@dataclasses.dataclass
class Line:
    sku: str
    qty: int
    price: Decimal


@dataclasses.dataclass
class Order:
    order_id: uuid.UUID
    customer: str
    total: Decimal
    placed_at: dt.datetime
    deliver_on: dt.date
    priority: Priority
    lines: list[Line]
    note: Optional[str]
    weight: float
    gift: bool
    attachment: bytes


SAMPLE = Order(uuid.UUID("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), "Zoë Ünal", Decimal("1234.50"),
               dt.datetime(2026, 11, 28, 9, 30, 15, 123456, tzinfo=dt.timezone.utc), dt.date(2026, 12, 24),
               Priority.URGENT, [Line("A-1", 2, Decimal("9.99")), Line("B-2", 1, Decimal("0.10"))], None, 2.5, True,
               b"\x01\x02\xff")
TYPES = EventTypes(Order, Line)


def probe(*args, stdin=None):
    if not PROBE_DLL.exists() or shutil.which("dotnet") is None:
        missing = f"{PROBE_DLL} is not built (dotnet build EventEngine.Actors.sln -c Release)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)
        pytest.skip(missing)
    result = subprocess.run(["dotnet", str(PROBE_DLL), *args], input=stdin, capture_output=True, text=True, timeout=60)
    return result


def test_python_decodes_what_the_csharp_codec_encoded():
    result = probe("encode")
    assert result.returncode == 0, result.stderr
    payloads = dict(line.split(" ", 1) for line in result.stdout.splitlines())
    order = TYPES.decode_payload(Order, bytes.fromhex(payloads["Order"]))
    assert order == SAMPLE
    assert isinstance(order.lines[0], Line) and isinstance(order.priority, Priority)
    assert order.placed_at.tzinfo is not None
    assert TYPES.decode_payload(Line, bytes.fromhex(payloads["Line"])) == SAMPLE.lines[0]


def test_the_csharp_codec_decodes_what_python_encoded_and_tells_a_wrong_value():
    wrong = dataclasses.replace(SAMPLE, total=Decimal("1234.51"))
    lines = "".join(f"{name} {TYPES.encode_payload(value).hex()}\n"
                    for name, value in [("Order", SAMPLE), ("Line", SAMPLE.lines[0]), ("Order", wrong)])
    result = probe("check", stdin=lines)
    out = result.stdout.splitlines()
    assert out[:2] == ["ok Order", "ok Line"], result.stdout + result.stderr
    assert out[2].startswith("mismatch Order") and '"Total":"1234.51"' in out[2], result.stdout
    assert result.returncode == 1
