"""Requests to `cs-tui serve`: one keep-alive connection pool, timeouts, retries with
backoff for the requests that are safe to repeat, and errors turned into the
Store's own."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
from pydantic import TypeAdapter

from cs_tui.domain.customers import CustomerRecord
from cs_tui.domain.models import Ticket
from cs_tui.store.base import (
    Conflict,
    InvalidInput,
    NotFound,
    StoreError,
    StoreUnavailable,
    TokenRefused,
    Unauthorized,
)

API = "/api/v1"
ON_BEHALF = "X-On-Behalf-Of"
HELPDESK = "helpdesk"
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0
ATTEMPTS = 4
"""Tries of a request that is safe to repeat, before the store is called unavailable."""
BACKOFF_S = 0.25
"""The first wait between tries; each next one doubles, with jitter."""
RETRY_STATUSES = frozenset({502, 503, 504})
TOKEN_REFUSED = (
    "your token was revoked or is wrong: ask an admin for a new one (`cs-tui agent token YOU`), "
    "then give it with --token, CS_TUI_TOKEN or token in the config"
)

_ticket = TypeAdapter(Ticket)
_record = TypeAdapter(CustomerRecord)


class Client:
    """The HTTP side of HttpStore."""

    def __init__(self, base_url: str, token: str, *, verify: bool | str = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=self.base_url + API,
            headers={"Authorization": f"Bearer {token}", "User-Agent": "cs-tui"},
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
            verify=verify,
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send a request and return its successful answer; raise the StoreError an
        error answer means. GET, PUT and DELETE are retried on a dropped connection
        or a 502/503/504, and so is anything the caller calls `idempotent` (a POST
        carrying a client id); other requests are sent once."""
        repeatable = method in ("GET", "PUT", "DELETE") if idempotent is None else idempotent
        attempts = ATTEMPTS if repeatable else 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                answer = await self.http.request(method, path, json=json, params=params, headers=headers)
            except httpx.TransportError as error:
                if last or not _may_retry(error, repeatable):
                    raise StoreUnavailable(
                        f"cannot reach cs-tui serve at {self.base_url} ({_describe(error)}); "
                        "check that it is running and the address is right"
                    ) from error
            else:
                if answer.status_code not in RETRY_STATUSES or last:
                    return raise_for_problem(answer)
            await asyncio.sleep(BACKOFF_S * 2**attempt * random.uniform(0.8, 1.2))
        raise AssertionError("unreachable")  # pragma: no cover


def raise_for_problem(answer: httpx.Response) -> httpx.Response:
    """The answer when it is a success; otherwise the StoreError its status means,
    with the server's own words on what to do."""
    status = answer.status_code
    if status < 400:
        return answer
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict):
        problem = {}
    detail = str(problem.get("detail") or problem.get("title") or answer.reason_phrase or f"HTTP {status}")
    if status == 409 and isinstance(problem.get("current"), dict):
        if problem.get("current_kind") == "customer":
            raise Conflict(detail, _record.validate_python(problem["current"]))
        raise Conflict(detail, _ticket.validate_python(problem["current"]))
    kind: type[StoreError]
    if status in (401, 429):
        # The server answers 429 only to a wrong token (a good one is always served):
        # waiting would not help, so it is not StoreUnavailable.
        raise TokenRefused(TOKEN_REFUSED)
    if status == 404:
        kind = NotFound
    elif status == 403:
        kind = Unauthorized
    elif status in (400, 409, 413, 422):
        raise InvalidInput(detail, str(problem.get("field") or ""))
    elif status in (502, 503, 504):
        kind = StoreUnavailable
    else:
        kind = StoreError
    raise kind(detail)


def _may_retry(error: httpx.TransportError, repeatable: bool) -> bool:
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return True  # the request never left: any request may go again
    return repeatable


def _describe(error: httpx.TransportError) -> str:
    text = str(error) or type(error).__name__
    return text.splitlines()[0]
