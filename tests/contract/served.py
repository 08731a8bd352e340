"""`cs-tui serve` on a loopback port over a SQLite file, for the contract suite's
HttpStore. The server runs in a thread of its own with its own event loop, so a
test's store and the server's never share a loop; the HTTP between them is real."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import uvicorn

from cs_tui.domain.tokens import new_token, token_hash
from cs_tui.server.app import create_app
from cs_tui.store import Store, open_store

HEARTBEAT_S = 1.0


class ServedStore:
    """A SQLite file served over HTTP, signed in to with the service token."""

    def __init__(self, place: Path) -> None:
        self.place = place
        self.token = new_token()
        self.users = 0
        self._socket = socket.socket()
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._ready = threading.Event()
        self._server: uvicorn.Server | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"cs-tui serve {self.url}", daemon=True)
        self._thread.start()
        if not self._ready.wait(20) or self._failure is not None:
            raise RuntimeError(f"cs-tui serve did not start: {self._failure!r}")

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:
            self._failure = error
            self._ready.set()

    async def _serve(self) -> None:
        store = await open_store(f"sqlite:///{self.place / 'cs-tui.db'}")
        try:
            app = create_app(store, heartbeat_s=HEARTBEAT_S, service_token_hash=token_hash(self.token))
            config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
            self._server = uvicorn.Server(config)
            serving = asyncio.create_task(self._server.serve(sockets=[self._socket]))
            while not self._server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has only a flag
                await asyncio.sleep(0.01)
            self._ready.set()
            await serving
        finally:
            await store.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()


_served: dict[Path, ServedStore] = {}


@asynccontextmanager
async def http_store(place: Path) -> AsyncIterator[Store]:
    """An HttpStore on the server for `place`, started by the first to open it and
    stopped when the last one closes."""
    served = _served.get(place)
    if served is None:
        served = _served[place] = await asyncio.to_thread(ServedStore, place)
    served.users += 1
    try:
        store = await open_store(served.url, token=served.token)
        try:
            yield store
        finally:
            await store.close()
    finally:
        served.users -= 1
        if served.users == 0:
            del _served[place]
            await asyncio.to_thread(served.stop)
