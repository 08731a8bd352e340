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
    """A SQLite file served over HTTP, signed in to with the service token. It can be
    stopped (the server goes away) and started again on the same port."""

    def __init__(self, place: Path) -> None:
        self.place = place
        self.token = new_token()
        self.users = 0
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.start()

    def start(self) -> None:
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        listening.bind(("127.0.0.1", self.port))
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(self._serve(listening, ready))
            except BaseException as error:
                failure.append(error)
                ready.set()

        self._thread = threading.Thread(target=run, name=f"cs-tui serve {self.url}", daemon=True)
        self._thread.start()
        if not ready.wait(20) or failure:
            raise RuntimeError(f"cs-tui serve did not start: {failure!r}")

    async def _serve(self, listening: socket.socket, ready: threading.Event) -> None:
        store = await open_store(f"sqlite:///{self.place / 'cs-tui.db'}")
        try:
            app = create_app(store, heartbeat_s=HEARTBEAT_S, service_token_hash=token_hash(self.token))
            config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1, lifespan="on")
            self._server = uvicorn.Server(config)
            serving = asyncio.create_task(self._server.serve(sockets=[listening]))
            while not self._server.started and not serving.done():  # noqa: ASYNC110 - uvicorn has only a flag
                await asyncio.sleep(0.01)
            ready.set()
            await serving
        finally:
            listening.close()
            await store.close()

    def stop(self) -> None:
        """The server goes away: it stops listening and its connections close."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None


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
