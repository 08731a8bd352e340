"""`cs-tui serve`: the Store over HTTP, for agents on other machines.

Every request but `/healthz` carries `Authorization: Bearer TOKEN`; the token's
agent is who the request acts as. Errors are `application/problem+json`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cs_tui import __version__
from cs_tui.domain.customers import CustomerRecord
from cs_tui.domain.models import Ticket
from cs_tui.server import customers, files, live, merging, people, reports, snoozing, tickets
from cs_tui.server.auth import FailedLogins
from cs_tui.server.problems import ANSWERS, Problem, problem_response
from cs_tui.server.public import chat as public_chat
from cs_tui.server.public import forms as public_forms
from cs_tui.server.public import meta as public_meta
from cs_tui.server.public.guard import PublicCors
from cs_tui.store.base import (
    Conflict,
    InvalidInput,
    NotFound,
    Store,
    StoreError,
    StoreUnavailable,
    StoreUnwritable,
    Unauthorized,
)

API = "/api/v1"
MAX_BODY_BYTES = 16 * 1024 * 1024
"""The largest request body taken; an import sends its tickets in batches well under this."""

access_log = logging.getLogger("cs_tui.access")
log = logging.getLogger(__name__)

_STORE_ERRORS: dict[type[StoreError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Conflict: (409, "Changed meanwhile"),
    InvalidInput: (422, "Invalid input"),
    Unauthorized: (403, "Not allowed"),
    StoreUnavailable: (503, "Store unavailable"),
    StoreUnwritable: (503, "Store cannot be written"),
}
_ticket_json = TypeAdapter(Ticket)
_record_json = TypeAdapter(CustomerRecord)


def _run_channels(store: Store) -> asyncio.Task[None] | None:
    from cs_tui.channels.runner import ChannelRunner
    from cs_tui.store.base import channel_store

    channels = channel_store(store)
    if channels is None:
        return None
    return asyncio.create_task(ChannelRunner(channels, purpose="cs-tui serve").run(), name="channels")


def _wake_snoozed(store: Store) -> asyncio.Task[None]:
    from cs_tui.snoozing import keep_waking

    return asyncio.create_task(keep_waking(store), name="snoozes")


def create_app(
    store: Store | Callable[[], Awaitable[Store]],
    *,
    heartbeat_s: float = live.HEARTBEAT_S,
    service_token_hash: str | None = None,
    end_streams_on_signal: bool = False,
    run_channels: bool = False,
    wake_snoozed: bool = False,
) -> FastAPI:
    """The HTTP API over `store`: an open store, which the caller closes, or a function
    that opens one when the app starts, which the app then closes. A request with the
    token whose hash is `service_token_hash` acts as the helpdesk itself.
    `end_streams_on_signal`: SIGINT and SIGTERM end the live event streams first, so
    that the server stops once requests in flight are answered rather than waiting
    on streams that never end (the server must have set its own handlers already).
    `run_channels`: work the store's channels (mail in and out) while the app runs,
    those whose lease this process gets. `wake_snoozed`: wake the store's snoozed
    tickets when their time comes (cs_tui.snoozing.keep_waking)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        opened = await store() if callable(store) else None
        if opened is not None:
            app.state.store = opened
        hub = live.EventHub(app.state.store)
        await hub.start()
        app.state.hub = hub
        if end_streams_on_signal:
            _end_streams_on_signal(hub)
        channels = _run_channels(app.state.store) if run_channels else None
        waking = _wake_snoozed(app.state.store) if wake_snoozed else None
        try:
            yield
        finally:
            for task in (channels, waking):
                if task is not None:
                    task.cancel()
                    await asyncio.gather(task, return_exceptions=True)
            await hub.stop()
            if opened is not None:
                await opened.close()

    app = FastAPI(
        title="cs-tui",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.store = None if callable(store) else store
    app.state.failed_logins = FailedLogins()
    app.state.heartbeat_s = heartbeat_s
    app.state.service_token_hash = service_token_hash
    for module in (tickets, merging, snoozing, customers, people, live, reports, files):
        app.include_router(module.router, prefix=API, responses=ANSWERS)
    app.include_router(public_chat.router, responses=ANSWERS)
    app.include_router(public_meta.router, responses=ANSWERS)
    app.include_router(public_forms.router, responses=ANSWERS)
    app.add_middleware(PublicCors)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    app.add_middleware(AccessLog)

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        more = {"field": error.field} if error.field else {}
        return problem_response(error.status, error.title, error.detail, error.headers, **more)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, error: StoreError) -> JSONResponse:
        status, title = next(
            (answer for kind, answer in _STORE_ERRORS.items() if isinstance(error, kind)),
            (500, "Store error"),
        )
        if isinstance(error, Conflict) and isinstance(error.current, CustomerRecord):
            current = _record_json.dump_python(error.current, mode="json")
            return problem_response(status, title, str(error), current=current, current_kind="customer")
        if isinstance(error, Conflict):
            return problem_response(
                status, title, str(error), current=_ticket_json.dump_python(error.current, mode="json")
            )
        if isinstance(error, InvalidInput) and error.field:
            return problem_response(status, title, str(error), field=error.field)
        return problem_response(status, title, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return problem_response(422, "Invalid request", where)

    @app.exception_handler(OverflowError)
    async def _too_big(request: Request, error: OverflowError) -> JSONResponse:
        return problem_response(
            422, "Number too large", "A number in the request is larger than any the store keeps."
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        return problem_response(error.status_code, str(error.detail), str(error.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=error)
        return problem_response(500, "Server error", "Something broke on the server; its log says what.")

    @app.get("/healthz", include_in_schema=False)
    async def healthz(request: Request) -> dict[str, str]:
        await request.app.state.store.last_event_id()
        return {"status": "ok"}

    return app


def log_requests() -> None:
    """The access log: one JSON line per request on standard error."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


def _end_streams_on_signal(hub: live.EventHub) -> None:
    """Close `hub` on SIGINT and SIGTERM, then do what the server set those signals to do."""
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        then = signal.getsignal(sig)
        if not callable(then):
            continue

        def handle(number: int, frame: Any, then: Callable[[int, Any], Any] = then) -> None:
            loop.call_soon_threadsafe(hub.close)
            then(number, frame)

        signal.signal(sig, handle)


class AccessLog:
    """One JSON line per request: who, what, the answer and how long it took to start.
    Plain ASGI rather than @app.middleware("http"): that one passes every chunk of every
    answer, each event on each live stream too, through a stream and a task of its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not access_log.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        answer: dict[str, Any] = {"status": 500, "ms": None}

        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["ms"] = round((time.perf_counter() - started) * 1000, 1)
                _log(scope, answer)
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            if answer["ms"] is None:  # no answer began: the app raised
                answer["ms"] = round((time.perf_counter() - started) * 1000, 1)
                _log(scope, answer)


def _log(scope: Scope, answer: dict[str, Any]) -> None:
    agent = scope.get("state", {}).get("agent")
    client = scope.get("client")
    access_log.info(
        json.dumps(
            {
                "client": client[0] if client else None,
                "agent": agent.id if agent is not None else None,
                "method": scope["method"],
                "path": scope["path"],
                "status": answer["status"],
                "ms": answer["ms"],
                "pid": os.getpid(),
            }
        )
    )


class BodyLimit:
    """413 for a request body over `max_bytes`, said or sent."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        said = dict(scope["headers"]).get(b"content-length")
        if said is not None and said.isdigit() and int(said) > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise Problem(413, "Body too large", self._what_to_do())
            return message

        await self.app(scope, counted, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(413, "Body too large", self._what_to_do())
        await response(scope, receive, send)

    def _what_to_do(self) -> str:
        return f"Send at most {self.max_bytes // (1024 * 1024)} MB a request; split the import."
