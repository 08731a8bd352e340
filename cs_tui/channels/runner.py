"""Runs the channels set up in a store: each one worked by exactly one process at a
time, whichever holds its lease (`cs-tui serve`, `cs-tui channel run`, or the TUI on
an embedded store), taken over within LEASE_S of its holder's death. Replies are
sent as soon as they are written (woken by the store's events)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial

from cs_tui.domain.channels import LEASE_S, ChannelInfo
from cs_tui.domain.models import EventKind
from cs_tui.store.base import ChannelStore, StoreError

log = logging.getLogger(__name__)

Worker = Callable[..., Awaitable[None]]
RESTART_AFTER_S = 10.0
"""A channel whose worker failed is started again after this long."""


def _workers() -> dict[str, Worker]:
    from cs_tui.channels.chat.worker import work_chat
    from cs_tui.channels.email.mailbox import work_mailbox
    from cs_tui.channels.form.worker import work_form
    from cs_tui.channels.meta.worker import work_meta

    return {
        "email": work_mailbox,
        "chat": work_chat,
        "form": work_form,
        **dict.fromkeys(("whatsapp", "messenger", "instagram"), work_meta),
    }


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """What a channel is doing, in words, and whether that is well."""

    channel: str
    said: str
    ok: bool


class ChannelRunner:
    """Works the store's channels (or only those `names`) that this process can get
    the lease of, until cancelled; `on_status` hears what each is doing."""

    def __init__(
        self,
        store: ChannelStore,
        *,
        names: Sequence[str] = (),
        purpose: str = "cs-tui",
        on_status: Callable[[ChannelStatus], None] | None = None,
    ) -> None:
        self.store = store
        self.names = tuple(names)
        self.holder = f"{purpose} on {socket.gethostname()} (pid {os.getpid()})"
        self.status: dict[str, ChannelStatus] = {}
        self._on_status = on_status
        self._running: dict[str, asyncio.Task[None]] = {}
        self._wake: dict[str, asyncio.Event] = {}
        self._look = asyncio.Event()

    async def run(self) -> None:
        watching = asyncio.create_task(self._watch_events())
        try:
            while True:
                self._look.clear()
                try:
                    await self._tend()
                except StoreError as error:
                    log.warning("channels: %s", error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._look.wait(), LEASE_S / 3)
        finally:
            watching.cancel()
            await asyncio.gather(watching, return_exceptions=True)
            await self._stop_all()

    async def _tend(self) -> None:
        """Takes or renews the lease of each channel, starts what it got, stops what it
        lost or what was removed."""
        wanted = {info.name: info for info in await self.store.list_channels() if self._wants(info.name)}
        for name in list(self._running):
            if name not in wanted:
                await self._stop(name)
        for name, info in wanted.items():
            task = self._running.get(name)
            if task is not None and task.done():
                await self._stop(name)
                task = None
            if await self.store.take_lease(name, self.holder, LEASE_S):
                if task is None:
                    self._start(info)
            elif task is not None:
                await self._stop(name)
                self._say(name, "another cs-tui took this channel over", True)
            elif name not in self.status:
                self._say(name, "worked by another cs-tui (cs-tui serve or cs-tui channel run)", True)

    def _wants(self, name: str) -> bool:
        return not self.names or name in self.names

    def _start(self, info: ChannelInfo) -> None:
        worker = _workers().get(info.kind)
        if worker is None:
            self._say(info.name, f"this cs-tui cannot run {info.kind} channels", False)
            return
        wake = self._wake.setdefault(info.name, asyncio.Event())
        wake.set()
        task = asyncio.create_task(self._work(worker, info, wake), name=f"channel {info.name}")
        self._running[info.name] = task

    async def _work(self, worker: Worker, info: ChannelInfo, wake: asyncio.Event) -> None:
        try:
            await worker(
                self.store,
                info,
                wake=wake,
                report=partial(self._heard, asyncio.get_running_loop(), info.name),
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("channel %s stopped", info.name)
            self._say(info.name, f"stopped: {error}; starting again in {RESTART_AFTER_S:g} s", False)
            await asyncio.sleep(RESTART_AFTER_S)

    async def _stop(self, name: str) -> None:
        task = self._running.pop(name, None)
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _stop_all(self) -> None:
        for name in list(self._running):
            await self._stop(name)
            with contextlib.suppress(StoreError):
                await self.store.drop_lease(name, self.holder)

    async def _watch_events(self) -> None:
        """New replies and webhook deliveries kept in an inbox wake the workers at
        once; a channel added or removed is looked at at once."""
        while True:
            try:
                async for event in self.store.events(await self.store.last_event_id()):
                    if event.kind in (EventKind.MESSAGE_ADDED, EventKind.CHANNEL_RECEIVED):
                        for wake in self._wake.values():
                            wake.set()
                    elif event.kind is EventKind.CHANNEL_CHANGED:
                        self._look.set()
            except StoreError as error:
                log.warning("channels: events: %s", error)
                await asyncio.sleep(1.0)

    def _heard(self, loop: asyncio.AbstractEventLoop, channel: str, said: str, ok: bool) -> None:
        """A worker said something, from its own thread as it may be: it is taken on
        the runner's loop, so that the status table and `on_status` are only ever
        touched there."""
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens
            loop.call_soon_threadsafe(self._say, channel, said, ok)

    def _say(self, channel: str, said: str, ok: bool) -> None:
        status = ChannelStatus(channel, said, ok)
        if self.status.get(channel) == status:
            return
        self.status[channel] = status
        (log.info if ok else log.warning)("channel %s: %s", channel, said)
        if self._on_status is not None:
            self._on_status(status)
