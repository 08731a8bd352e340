"""`cs-tui migrate`'s reading of exports: a store's tickets read ahead in chunks, and
the check that two stores export the same tickets (read side by side, by number)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from cs_tui.domain.records import TicketRecord
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import Store

SHOWN = 5
"""Differences named one by one; the rest are counted."""


class ReadAhead:
    """`async with ReadAhead(store.export_tickets(), size) as ahead`: the export read
    in chunks of `size` by a task of its own, a couple of chunks ahead, so that reading
    one store overlaps writing (or reading) the other, and never holds more than that."""

    def __init__(self, records: AsyncIterator[TicketRecord], size: int, depth: int = 2) -> None:
        self._records = records
        self._size = size
        self._queue: asyncio.Queue[list[TicketRecord] | BaseException | None] = asyncio.Queue(depth)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._fill())
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _fill(self) -> None:
        chunk: list[TicketRecord] = []
        try:
            async for record in self._records:
                chunk.append(record)
                if len(chunk) >= self._size:
                    await self._queue.put(chunk)
                    chunk = []
            if chunk:
                await self._queue.put(chunk)
            await self._queue.put(None)
        except Exception as error:  # the reader raises it where it reads
            await self._queue.put(error)
        finally:
            close: Callable[[], object] | None = getattr(self._records, "aclose", None)
            if close is not None:
                await close()  # type: ignore[misc]

    async def next_chunk(self) -> list[TicketRecord] | None:
        """The next chunk of tickets, by number; None after the last."""
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)  # and None again, if asked again
        if isinstance(item, BaseException):
            raise item
        return item

    async def chunks(self) -> AsyncIterator[list[TicketRecord]]:
        while (chunk := await self.next_chunk()) is not None:
            yield chunk

    async def records(self) -> AsyncIterator[TicketRecord]:
        async for chunk in self.chunks():
            for record in chunk:
                yield record


async def first_tickets(store: Store, count: int) -> list[tuple[object, ...]]:
    """What names each of the store's first `count` tickets: number, ref, creation."""
    async with ReadAhead(store.export_tickets(), count) as ahead:
        chunk = await ahead.next_chunk() or []
    return [(record.id, record.ref, record.created_at) for record in chunk]


@dataclass(slots=True)
class Comparison:
    """How two stores' exports compare, ticket by ticket."""

    alike: int = 0
    only_source: int = 0
    only_target: int = 0
    differing: int = 0
    shown: list[str] = field(default_factory=list)
    """The first few differences, in words."""

    @property
    def same(self) -> bool:
        return not (self.only_source or self.only_target or self.differing)

    def said(self) -> str:
        parts = [
            f"{number:,} {words}"
            for number, words in (
                (self.differing, "differ"),
                (self.only_source, "only in the source"),
                (self.only_target, "only in the target"),
            )
            if number
        ]
        return ", ".join(parts)

    def _show(self, text: str) -> None:
        if len(self.shown) < SHOWN:
            self.shown.append(text)


def _named(record: TicketRecord) -> str:
    ref = f" (ref {sanitize_line(record.ref)})" if record.ref else ""
    return f"#{record.id}{ref}"


def _fields_differing(source: TicketRecord, target: TicketRecord) -> list[str]:
    ours, theirs = source.to_json(), target.to_json()
    named = [key for key in dict.fromkeys([*ours, *theirs]) if ours.get(key) != theirs.get(key)]
    if "messages" in named:
        named[named.index("messages")] = _messages_differing(ours["messages"], theirs["messages"])
    return named


def _messages_differing(ours: list[dict[str, object]], theirs: list[dict[str, object]]) -> str:
    """Which of a ticket's messages differ, and in what: `messages[2].body`."""
    if len(ours) != len(theirs):
        return f"messages ({len(ours):,} in the source, {len(theirs):,} in the target)"
    differing = [index for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)) if mine != other]
    first, other = ours[differing[0]], theirs[differing[0]]
    fields = ", ".join(f"messages[{differing[0]}].{key}" for key in first if first[key] != other.get(key))
    more = len(differing) - 1
    return fields + (f" (and {more:,} more message{'s' if more > 1 else ''})" if more else "")


async def compare_exports(
    source: Store, target: Store, *, chunk: int = 500, progress: Callable[[int], object] | None = None
) -> Comparison:
    """Both stores' exports read side by side by ticket number; what `cs-tui export`
    writes of each ticket is compared. `progress` is told how many were compared,
    every `chunk` tickets."""
    found = Comparison()
    compared = 0
    async with (
        ReadAhead(source.export_tickets(), chunk) as ours_ahead,
        ReadAhead(target.export_tickets(), chunk) as theirs_ahead,
    ):
        ours, theirs = ours_ahead.records(), theirs_ahead.records()
        mine, other = await anext(ours, None), await anext(theirs, None)
        while mine is not None or other is not None:
            if other is None or (mine is not None and (mine.id or 0) < (other.id or 0)):
                assert mine is not None
                found.only_source += 1
                found._show(f"{_named(mine)} is only in the source")
                mine = await anext(ours, None)
            elif mine is None or (other.id or 0) < (mine.id or 0):
                found.only_target += 1
                found._show(f"{_named(other)} is only in the target")
                other = await anext(theirs, None)
            else:
                if mine == other or mine.to_line() == other.to_line():
                    found.alike += 1
                else:
                    found.differing += 1
                    found._show(f"{_named(mine)} differs: {', '.join(_fields_differing(mine, other))}")
                mine, other = await anext(ours, None), await anext(theirs, None)
            compared += 1
            if progress is not None and compared % chunk == 0:
                progress(compared)
    return found
