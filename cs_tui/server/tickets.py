"""Tickets, their messages and their customers over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from cs_tui.domain.counts import QueuePage
from cs_tui.domain.models import (
    AuthorKind,
    Csat,
    Message,
    MessagePage,
    NewMessage,
    NewTicket,
    Role,
    Ticket,
)
from cs_tui.domain.query import Query as Search
from cs_tui.domain.query import QueryError, Sort, parse
from cs_tui.server.auth import Admin, Calling, Signed
from cs_tui.server.bodies import MAX_ID, Change, Count, PathId, Rating
from cs_tui.server.problems import Problem
from cs_tui.store.base import Store

router = APIRouter(tags=["tickets"])


def the_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


Stored = Annotated[Store, Depends(the_store)]
SearchText = Annotated[str, Query(description="the search syntax, e.g. status:open tag:refund")]


def search(text: str) -> Search | None:
    try:
        return parse(text) if text.strip() else None
    except QueryError as error:
        raise Problem(400, "Bad query", str(error)) from None


@router.get("/tickets")
async def list_tickets(
    store: Stored,
    caller: Calling,
    q: SearchText = "",
    sort: Sort = Sort.UPDATED,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueuePage:
    """A queue page; `assignee:me` is whom the request acts as. Pass `next_cursor` as `after`.
    Its `total` is `{"value": N, "exact": true}`, or past 1,000 maybe an estimate, with
    `"exact": false`; `/tickets/count` counts exactly."""
    page = await store.list_tickets(search(q), viewer_id=caller.actor_id, sort=sort, after=after, limit=limit)
    return QueuePage.of(page)


@router.get("/tickets/count")
async def count_tickets(store: Stored, caller: Calling, q: SearchText = "") -> Count:
    return Count(count=await store.count_tickets(search(q), viewer_id=caller.actor_id))


@router.get("/tickets/{ticket_id}")
async def get_ticket(ticket_id: PathId, store: Stored, agent: Signed) -> Ticket:
    return await store.get_ticket(ticket_id)


@router.get("/tickets/{ticket_id}/messages")
async def get_messages(
    ticket_id: PathId,
    store: Stored,
    agent: Signed,
    before: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MessagePage:
    """The latest `limit` messages before message `before`, oldest first."""
    return await store.get_messages(ticket_id, before=before, limit=limit)


@router.post("/tickets", status_code=201)
async def create_ticket(new: NewTicket, store: Stored, caller: Calling) -> Ticket:
    """Open a ticket with its first customer message (the same `client_id` opens it once)."""
    return await store.create_ticket(new, actor_id=caller.actor_id)


@router.post("/tickets/{ticket_id}/messages", status_code=201)
async def add_message(ticket_id: PathId, new: NewMessage, store: Stored, caller: Calling) -> Message:
    """A reply or internal note (the same `client_id` adds it once). Customer and
    system messages come from channels, which sign in as admins."""
    if new.author_kind is not AuthorKind.AGENT and caller.agent.role is not Role.ADMIN:
        raise Problem(403, "Not allowed", "Only an admin token may add customer or system messages.")
    return await store.add_message(ticket_id, new, actor_id=caller.actor_id)


@router.patch("/tickets/{ticket_id}")
async def update_ticket(ticket_id: PathId, change: Change, store: Stored, caller: Calling) -> Ticket:
    """Change a ticket, naming the version you saw: a stale one is a 409 carrying
    the ticket as it is now."""
    return await store.update_ticket(
        ticket_id, change.changes(), expected_version=change.expected_version, actor_id=caller.actor_id
    )


@router.put("/tickets/{ticket_id}/rating")
async def rate_ticket(ticket_id: PathId, rating: Rating, store: Stored, agent: Admin) -> Ticket:
    """The customer's satisfaction rating, as the web form that asked for it reports it."""
    return await store.rate_ticket(ticket_id, Csat(rating.rating, rating.rated_at, rating.comment))
