"""Connections to `cs-tui serve`, bounded: one that sends no complete request within
HEADER_TIMEOUT_S (silent, or trickling its headers) is closed, and past
`--max-connections` the connection idle the longest makes room for a new one, so a
flood of idle sockets cannot use up the server's file limit and shut agents out.
A connection with a request in flight (a live event stream too) is never closed."""

from __future__ import annotations

import asyncio
import logging
import os
import resource
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

log = logging.getLogger(__name__)

HEADER_TIMEOUT_S = 10.0
"""How long a connection may take to send a request's headers, from its opening or
from the end of its last answer."""
KEEP_ALIVE_S = 5
"""How long an idle keep-alive connection is kept open after an answer."""
MAX_CONNECTIONS = 1000
"""Open connections per server process, by default."""
SPARE_FILES = 100
"""File descriptors kept for what else the server opens (the store, its journal, logs)."""
MAX_CONNECTIONS_ENV = "CS_TUI_SERVE_MAX_CONNECTIONS"
"""The bound, as `cs-tui serve` sets it for its own process and its workers."""
PROTOCOL = f"{__name__}:BoundedHTTP"
"""uvicorn's `http` setting for these connections."""


def connection_bound(wanted: int | None = None) -> int:
    """The bound on open connections: `wanted` (or MAX_CONNECTIONS), lowered to what the
    process's file limit allows, once that has been raised as far as it may be."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    allowed = max(1, soft - SPARE_FILES)
    return max(1, min(wanted or MAX_CONNECTIONS, allowed))


class BoundedHTTP(AutoHTTPProtocol):  # type: ignore[misc, valid-type]
    """uvicorn's HTTP protocol (httptools or h11), with the timeout and the bound."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle_since = 0.0
        self._idle_check: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._idle_since = self.loop.time()
        self._idle_check = self.loop.call_later(HEADER_TIMEOUT_S, self._close_if_idle)
        if len(self.connections) > _bound():
            self._make_room()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._idle_since = self.loop.time()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle_check is not None:
            self._idle_check.cancel()
            self._idle_check = None
        super().connection_lost(exc)

    @property
    def busy(self) -> bool:
        """Whether a request is in flight: its headers came and its answer is not done."""
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete

    def _close_if_idle(self) -> None:
        self._idle_check = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self.busy:
            self._idle_since = now
            waited = 0.0
        else:
            waited = now - self._idle_since
            if waited >= HEADER_TIMEOUT_S - 0.01:
                self.transport.close()
                return
        self._idle_check = self.loop.call_later(HEADER_TIMEOUT_S - waited, self._close_if_idle)

    def _make_room(self) -> None:
        """Close the connection idle the longest (this new one when every other is busy)."""
        idle = [
            other
            for other in self.connections
            if isinstance(other, BoundedHTTP)
            and other is not self
            and not other.busy
            and not other.transport.is_closing()
        ]
        oldest = min(idle, key=lambda other: other._idle_since, default=self)
        if oldest is self:
            log.warning("%d connections, all busy: a new one is refused", len(self.connections))
        oldest.transport.close()


_bound_cache: list[int] = []


def _bound() -> int:
    if not _bound_cache:
        _bound_cache.append(int(os.environ.get(MAX_CONNECTIONS_ENV) or 0) or connection_bound())
    return _bound_cache[0]
