"""`cs-tui serve`: the Store over HTTP, for agents on other machines.

Every request but `/healthz` carries `Authorization: Bearer TOKEN`; the token's
agent is who the request acts as. Errors are `application/problem+json`.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from cs_tui import __version__
from cs_tui.domain.models import (
    UNSET,
    Agent,
    AuthorKind,
    Draft,
    DraftKind,
    Message,
    MessagePage,
    NewMessage,
    NewTicket,
    Priority,
    Role,
    Status,
    Ticket,
    TicketChanges,
    TicketPage,
    Unset,
)
from cs_tui.domain.query import QueryError, parse
from cs_tui.domain.tokens import token_hash
from cs_tui.store.base import Conflict, InvalidInput, NotFound, Sort, Store, StoreError, StoreUnavailable

API = "/api/v1"
PROBLEM = "application/problem+json"
FAILED_LOGINS_ALLOWED = 10
"""Failed sign-ins a client address may make in FAILED_LOGIN_WINDOW_S before it waits."""
FAILED_LOGIN_WINDOW_S = 60.0


class Problem(Exception):
    """An error answer: an HTTP status, a short title and what to do."""

    def __init__(self, status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


def problem_response(
    status: int, title: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


class FailedLogins:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(self, allowed: int = FAILED_LOGINS_ALLOWED, window_s: float = FAILED_LOGIN_WINDOW_S) -> None:
        self.allowed, self.window_s = allowed, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def wait_s(self, client: str) -> float:
        """Seconds this client must wait before trying again (0: it may try now)."""
        failures = self._failures[client]
        now = time.monotonic()
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if len(failures) < self.allowed:
            return 0.0
        return failures[0] + self.window_s - now

    def add(self, client: str) -> None:
        self._failures[client].append(time.monotonic())


async def signed_in(request: Request) -> Agent:
    """The agent whose token the request carries; 401 without one, 429 after too many wrong ones."""
    store: Store = request.app.state.store
    failed_logins: FailedLogins = request.app.state.failed_logins
    client = request.client.host if request.client else "unknown"
    wait = failed_logins.wait_s(client)
    if wait > 0:
        raise Problem(
            429,
            "Too many failed sign-ins",
            f"Too many wrong tokens from {client}; try again in {int(wait) + 1} s.",
            {"Retry-After": str(int(wait) + 1)},
        )
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    found = await store.agent_for_token(token_hash(token)) if scheme.lower() == "bearer" and token else None
    if found is None:
        failed_logins.add(client)
        raise Problem(
            401,
            "Not signed in",
            "Send Authorization: Bearer TOKEN, with a token from `cs-tui agent add` or `cs-tui agent token`.",
            {"WWW-Authenticate": "Bearer"},
        )
    return found


Signed = Annotated[Agent, Depends(signed_in)]


def create_app(store: Store) -> FastAPI:
    """The HTTP API over `store`; the caller opens and closes the store."""

    app = FastAPI(
        title="cs-tui",
        version=__version__,
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    app.state.store = store
    app.state.failed_logins = FailedLogins()

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> JSONResponse:
        return problem_response(error.status, error.title, error.detail, error.headers)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, error: StoreError) -> JSONResponse:
        status, title = _STORE_ERRORS.get(type(error), (500, "Store error"))
        if isinstance(error, Conflict):
            body = {"type": "about:blank", "title": title, "status": 409, "detail": str(error)}
            body["current"] = _dump(Ticket, error.current)
            return JSONResponse(body, status_code=409, media_type=PROBLEM)
        return problem_response(status, title, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return problem_response(422, "Invalid request", where)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, error: HTTPException) -> JSONResponse:
        return problem_response(error.status_code, str(error.detail), str(error.detail))

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        await store.last_event_id()
        return {"status": "ok"}

    @app.get(f"{API}/me")
    async def me(agent: Signed) -> Agent:
        return agent

    @app.get(f"{API}/tickets")
    async def list_tickets(
        agent: Signed,
        q: Annotated[str, Query(description="the search syntax, e.g. status:open tag:refund")] = "",
        sort: Sort = Sort.UPDATED,
        after: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> TicketPage:
        return await store.list_tickets(_query(q), viewer_id=agent.id, sort=sort, after=after, limit=limit)

    @app.get(f"{API}/tickets/{{ticket_id}}")
    async def get_ticket(ticket_id: int, agent: Signed) -> Ticket:
        return await store.get_ticket(ticket_id)

    @app.get(f"{API}/tickets/{{ticket_id}}/messages")
    async def get_messages(
        ticket_id: int,
        agent: Signed,
        before: int | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> MessagePage:
        return await store.get_messages(ticket_id, before=before, limit=limit)

    @app.post(f"{API}/tickets", status_code=201)
    async def create_ticket(new: NewTicket, agent: Signed) -> Ticket:
        """Open a ticket as the signed-in agent (idempotent by `client_id`)."""
        return await store.create_ticket(new, actor_id=agent.id)

    @app.post(f"{API}/tickets/{{ticket_id}}/messages", status_code=201)
    async def add_message(ticket_id: int, new: NewMessage, agent: Signed) -> Message:
        """A reply or internal note by the signed-in agent (idempotent by `client_id`).
        Customer and system messages come from channels, which sign in as admins."""
        if new.author_kind is not AuthorKind.AGENT and agent.role is not Role.ADMIN:
            raise Problem(403, "Not allowed", "Only an admin token may add customer or system messages.")
        return await store.add_message(ticket_id, new, actor_id=agent.id)

    @app.patch(f"{API}/tickets/{{ticket_id}}")
    async def update_ticket(ticket_id: int, change: Change, agent: Signed) -> Ticket:
        """Change a ticket as the signed-in agent, naming the version you saw: a stale
        one is a 409 carrying the ticket as it is now."""
        return await store.update_ticket(
            ticket_id, change.changes(), expected_version=change.expected_version, actor_id=agent.id
        )

    @app.get(f"{API}/drafts/{{ticket_id}}")
    async def get_draft(ticket_id: int, agent: Signed) -> Draft:
        draft = await store.get_draft(agent.id, ticket_id)
        if draft is None:
            raise Problem(404, "Not found", f"You have no draft for ticket #{ticket_id}.")
        return draft

    @app.put(f"{API}/drafts/{{ticket_id}}")
    async def save_draft(ticket_id: int, draft: DraftText, agent: Signed) -> Draft:
        """Your draft for a ticket (only ever the signed-in agent's own)."""
        return await store.save_draft(Draft(agent.id, ticket_id, draft.body, draft.kind))

    @app.delete(f"{API}/drafts/{{ticket_id}}", status_code=204)
    async def delete_draft(ticket_id: int, agent: Signed) -> None:
        await store.delete_draft(agent.id, ticket_id)

    return app


class Change(BaseModel):
    """A change to a ticket, with the version it was made against. A field left out
    stays as it is; `assignee_id: null` unassigns."""

    model_config = ConfigDict(extra="forbid")

    expected_version: int
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: int | None = None
    subject: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()

    def changes(self) -> TicketChanges:
        assignee: int | Unset | None = self.assignee_id if "assignee_id" in self.model_fields_set else UNSET
        return TicketChanges(
            status=self.status,
            priority=self.priority,
            assignee_id=assignee,
            subject=self.subject,
            add_tags=self.add_tags,
            remove_tags=self.remove_tags,
        )


class DraftText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str
    kind: DraftKind = DraftKind.REPLY


_STORE_ERRORS: dict[type[StoreError], tuple[int, str]] = {
    NotFound: (404, "Not found"),
    Conflict: (409, "Changed meanwhile"),
    InvalidInput: (422, "Invalid input"),
    StoreUnavailable: (503, "Store unavailable"),
}


def _query(text: str) -> Any:
    try:
        return parse(text) if text.strip() else None
    except QueryError as error:
        raise Problem(400, "Bad query", str(error)) from None


def _dump(kind: type[Any], value: Any) -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(kind).dump_python(value, mode="json")
