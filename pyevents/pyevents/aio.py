"""
:class:`AsyncEngineClient`: :class:`~pyevents.EngineClient` on asyncio (``zmq.asyncio``), with the
same options, acknowledgement rules and protocol (``docs/protocol.md``)::

    async with AsyncEngineClient(types=EventTypes(Order, Shipped)) as client:
        async for event in client:
            await client.publish_event(Shipped(event.order_id, event.qty * event.price))

Leaving the block on an exception or a cancellation closes the connection without ``quit``: the
engine hands the unfinished events to the next connection. A client belongs to one event loop and
is not safe for concurrent calls (await one call at a time).
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from typing import Any, cast

import zmq
import zmq.asyncio

from . import protocol as p
from .client import _NO_VALUE, ClientCore, log
from .errors import PyEventsError

__all__ = ["AsyncEngineClient"]


class AsyncEngineClient(ClientCore):
    """The asyncio twin of :class:`~pyevents.EngineClient`: the same arguments; every call is awaited."""

    _context_class = zmq.asyncio.Context

    async def __aenter__(self) -> AsyncEngineClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        if exc_type is None:
            await self.close()
        else:
            await self.abandon(f"leaving the block on {exc_type.__name__}")

    def __aiter__(self) -> AsyncIterator[Any]:
        """``async for event in client``: :meth:`typed_events` with ``types``, else :meth:`events`."""
        return self.typed_events() if self.types is not None else self.events()

    async def quit(self) -> None:
        """Send ``plugin_command: quit`` and close the client."""
        await self.close(quit=True)

    async def close(self, quit: bool = True) -> None:
        """As :meth:`EngineClient.close`; an interrupted request's reply is not awaited (no ``quit`` then)."""
        sock = cast(zmq.asyncio.Socket, self._socket)
        if sock is None:
            return
        try:
            if quit and not self._awaiting:
                self._quit_warning()
                await sock.send(p.QUIT)
            elif quit:
                log.warning("[%s] a request was interrupted; closing without quit", self.name)
        finally:
            self._batch.reset()
            self._socket = None
            sock.close(linger=int(self.linger * 1000) if quit else 0)

    async def abandon(self, why: str = "abandoned") -> None:
        """As :meth:`EngineClient.abandon`: acknowledge what was finished, close without ``quit``."""
        if self._socket is None:
            return
        if not self._awaiting and self._batch.finished_unacked:
            try:
                await self._ack_finished(reconnect=False)
            except (PyEventsError, zmq.ZMQError) as e:
                log.warning("[%s] could not acknowledge the finished events (%s)", self.name, e)
        self._abandon_message(why)
        await self.close(quit=False)

    async def _request(self, frame: bytes, limit: float | None, *, reconnect: bool | None = None) -> list[bytes] | None:
        sock = cast(zmq.asyncio.Socket, self._live_socket())
        reconnect = self.reconnect if reconnect is None else reconnect
        backoff = 0.1
        while True:
            self._awaiting = True
            await sock.send(frame)
            if await sock.poll(self._poll_ms(limit), zmq.POLLIN):
                reply = await sock.recv_multipart()
                self._awaiting = False
                return reply
            await asyncio.sleep(self._no_reply(sock, frame, limit, reconnect, backoff))
            backoff = self._next_backoff(backoff)
            self._socket = self._connect()
            sock = cast(zmq.asyncio.Socket, self._socket)
            if frame.startswith(p.ACK):
                return None

    async def _request_one(self, frame: bytes, limit: float | None) -> bytes:
        return self._one_frame(await self._request(frame, limit), repr(frame[:40]))

    async def _fetch(self, max_events: int, timeout: float | None, single: bool) -> None:
        deadline = self._deadline(timeout)
        while True:
            request, wait = self._fetch_request(max_events, deadline, single)
            if self._fetched(await self._request(request, self._limit(wait)), deadline, single):
                return

    async def next_event(self, timeout: float | None = None) -> bytes | None:
        """As :meth:`EngineClient.next_event`."""
        self._check_iteration(1, timeout)
        self._batch.finish_taken()
        if not self._batch.pending:
            await self._fetch(1, timeout, single=True)
        taken = self._batch.take(1)
        return taken[0] if taken else None

    async def next_batch(self, max_events: int = 1000, timeout: float | None = None) -> list[bytes]:
        """As :meth:`EngineClient.next_batch`."""
        p._check_int("max_events", max_events, 1, p.MAX_BATCH)
        self._check_iteration(max_events, timeout)
        self._batch.finish_taken()
        if not self._batch.pending:
            await self._fetch(max_events, timeout, single=False)
        return self._batch.take(max_events)

    def events(self, batch: int = 1000, timeout: float | None = None) -> AsyncIterator[bytes]:
        """As :meth:`EngineClient.events`, for ``async for``."""
        self._check_iteration(batch, timeout)
        return self._iterate(batch, timeout, per_event=True)

    def batches(self, batch: int = 1000, timeout: float | None = None) -> AsyncIterator[list[bytes]]:
        """As :meth:`EngineClient.batches`, for ``async for``."""
        self._check_iteration(batch, timeout)
        return self._iterate(batch, timeout, per_event=False)

    async def _iterate(self, batch: int, timeout: float | None, per_event: bool) -> AsyncIterator[Any]:
        while self._socket is not None:
            self._batch.finish_taken()
            if not self._batch.pending:
                await self._fetch(batch, timeout, single=False)
                if not self._batch.pending:
                    return
            yield self._batch.take(1)[0] if per_event else self._batch.take(batch)

    async def typed_events(self, batch: int = 1000, timeout: float | None = None) -> AsyncIterator[Any]:
        """As :meth:`EngineClient.typed_events`, for ``async for``."""
        types = self._typed()
        async for frame in self.events(batch, timeout):
            yield types.decode(frame)

    async def ack(self) -> int:
        """As :meth:`EngineClient.ack`."""
        self._live_socket()
        self._batch.finish_taken()
        return await self._ack_finished()

    async def _ack_finished(self, reconnect: bool | None = None) -> int:
        request = self._ack_request()
        return 0 if request is None else self._acked(await self._request(request, self._limit(0), reconnect=reconnect))

    async def publish(self, frame: bytes, traceparent: str | bytes | None = None) -> None:
        """As :meth:`EngineClient.publish`."""
        self._check_published(await self._request_one(self._publish_request(frame, traceparent), self.publish_timeout),
                              traceparent)

    async def publish_many(self, frames: Iterable[bytes], traceparent: str | bytes | None = None) -> int:
        """As :meth:`EngineClient.publish_many`."""
        total = 0
        for chunk in self._chunks(frames):
            reply = await self._request_one(p.encode_publish_batch(chunk, traceparent), self.publish_timeout)
            total += self._check_batch_published(reply, chunk)
        return total

    async def publish_event(self, type_or_value: Any, value: Any = _NO_VALUE, filter: str | bytes | None = None,
                            traceparent: str | bytes | None = None) -> None:
        """As :meth:`EngineClient.publish_event`."""
        await self.publish(self._event_frame(type_or_value, value, filter), traceparent)
