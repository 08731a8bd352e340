"""Live events as Server-Sent Events, read from the store once for every listener."""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Annotated, cast

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import TypeAdapter

from cs_tui.domain.models import Event
from cs_tui.server.auth import Signed, still_signed_in
from cs_tui.server.bodies import EventId
from cs_tui.server.tickets import Stored
from cs_tui.store.base import Store, StoreError

log = logging.getLogger(__name__)

HEARTBEAT_S = 15.0
"""A comment line this often on a quiet stream, so both ends notice a dead connection."""
KEPT_EVENTS = 10_000
"""Recent events the hub keeps for listeners that fall behind; older ones are read from the store."""
RETRY_MS = 1000
TOKEN_CHECK_S = 3.0
"""How often an open stream checks that its token still works: a revoked one ends it."""

router = APIRouter(tags=["events"])
_event_json = TypeAdapter(Event)


class EventHub:
    """Follows the store's events with one reader and hands them to every listener."""

    def __init__(self, store: Store, kept: int = KEPT_EVENTS) -> None:
        self._store = store
        self._events: deque[Event] = deque(maxlen=kept)
        self._ids: deque[int] = deque(maxlen=kept)
        self._floor = 0
        """Every event after this id is in _events."""
        self._arrived = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._encoded: dict[int, bytes] = {}
        self._kept = kept
        self.closing = False
        """The server is shutting down: streams end, so that it need not wait for them."""

    async def start(self) -> None:
        self._floor = await self._store.last_event_id()
        self._task = asyncio.create_task(self._read(), name="event hub")

    def close(self) -> None:
        """End every listener's stream; clients resume elsewhere with Last-Event-ID."""
        self.closing = True
        self._arrived.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _read(self) -> None:
        while True:
            last = self._ids[-1] if self._ids else self._floor
            try:
                async with aclosing(_generator(self._store.events(last))) as events:
                    async for event in events:
                        if len(self._events) == self._events.maxlen:
                            self._floor = self._ids[0]
                        self._events.append(event)
                        self._ids.append(event.id)
                        self._arrived.set()
                        self._arrived = asyncio.Event()
            except Exception:
                log.exception("reading events failed; trying again in 1 s")
                await asyncio.sleep(1)

    def _after(self, since: int) -> list[Event] | None:
        """The kept events after `since`, or None when some after it are no longer kept."""
        if since < self._floor:
            return None
        start = bisect.bisect_right(self._ids, since)
        return [self._events[i] for i in range(start, len(self._events))]

    def encoded(self, event: Event) -> bytes:
        """The event as an SSE message, made once however many listeners send it."""
        found = self._encoded.get(event.id)
        if found is None:
            found = sse(event)
            self._encoded[event.id] = found
            while len(self._encoded) > self._kept:
                del self._encoded[next(iter(self._encoded))]
        return found

    async def follow(self, since: int, heartbeat_s: float = HEARTBEAT_S) -> AsyncGenerator[list[Event], None]:
        """Every event after `since`, in order and in batches of those that came
        together, for as long as the caller listens; an empty batch each `heartbeat_s`
        that passes without one."""
        while not self.closing:
            arrived = self._arrived
            batch = self._after(since)
            if batch is None:
                async with aclosing(_generator(self._store.events(since))) as older:
                    async for event in older:
                        yield [event]
                        since = event.id
                        if since >= self._floor:
                            break
                continue
            if batch:
                yield batch
                since = batch[-1].id
                continue
            try:
                # asyncio.timeout, not wait_for: no task of its own for every wait of
                # every listener.
                async with asyncio.timeout(heartbeat_s):
                    await arrived.wait()
            except TimeoutError:
                yield []


async def _still_signed_in(request: Request) -> bool:
    try:
        return await still_signed_in(request)
    except StoreError:  # the store is busy or away for a moment: no reason to end the stream
        log.warning("checking a live stream's token failed; trying again", exc_info=True)
        return True


def _generator(events: AsyncIterator[Event]) -> AsyncGenerator[Event, None]:
    """A store's events() is an async generator; say so, to close it when done."""
    return cast(AsyncGenerator[Event, None], events)


def sse(event: Event) -> bytes:
    data = _event_json.dump_json(event).decode()
    return f"id: {event.id}\nevent: {event.kind}\ndata: {data}\n\n".encode()


@router.get("/events/last")
async def last_event_id(store: Stored, agent: Signed) -> EventId:
    """The id of the newest event: listen from here to get only what happens next."""
    return EventId(id=await store.last_event_id())


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "a Server-Sent Events stream"}},
)
async def events(
    request: Request,
    store: Stored,
    agent: Signed,
    since: Annotated[int | None, Query(ge=0, description="the last event id you have")] = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", description="set by EventSource on reconnecting")
    ] = None,
) -> StreamingResponse:
    """Every event after `since` (or `Last-Event-ID`; by default only new ones), then
    each one as it is written. A comment line every 15 s keeps the connection honest."""
    start = since
    if last_event_id is not None and last_event_id.strip().isdigit():
        start = int(last_event_id)
    if start is None:
        start = await store.last_event_id()
    hub: EventHub = request.app.state.hub
    heartbeat_s: float = request.app.state.heartbeat_s
    loop = asyncio.get_running_loop()

    async def stream() -> AsyncIterator[bytes]:
        yield f"retry: {RETRY_MS}\n\n".encode()
        checked = written = loop.time()
        # Woken at least every TOKEN_CHECK_S, to end the stream soon after its token
        # is revoked; a ping goes out only when heartbeat_s passed without a line.
        async with aclosing(hub.follow(start, min(heartbeat_s, TOKEN_CHECK_S))) as followed:
            async for batch in followed:
                now = loop.time()
                if now - checked >= TOKEN_CHECK_S:
                    checked = now
                    if not await _still_signed_in(request):
                        yield b": your token was revoked; sign in with a new one\n\n"
                        return
                if batch:
                    yield b"".join(map(hub.encoded, batch))
                elif now - written + 0.1 < heartbeat_s:
                    continue
                else:
                    yield b": ping\n\n"
                written = now

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
