"""Customers over HTTP: lists and searches of them, a customer's record and tickets,
changes with the version seen, and merging two (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from cs_tui.domain.counts import QueuePage
from cs_tui.domain.customers import CustomerMerge, CustomerPage, CustomerRecord, customer_term
from cs_tui.domain.models import Customer
from cs_tui.domain.query import Sort, of_customer
from cs_tui.server.auth import Admin, Calling, Signed
from cs_tui.server.bodies import Count, CustomerChange, MergeInto, PathId
from cs_tui.server.problems import Problem
from cs_tui.server.tickets import SearchText, Stored, search

router = APIRouter(tags=["customers"])


@router.get("/customers")
async def list_customers(
    store: Stored,
    agent: Signed,
    q: Annotated[str, Query(description="what `customer:` takes: budi, @tokoku, an address, #12")] = "",
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    email: Annotated[str | None, Query(description="the older form: the customer with this address")] = None,
) -> CustomerPage | list[Customer]:
    """Customers in name order, each with their tags and ticket counts; with `q`, those
    the search `customer:q` means. Pass `next_cursor` as `after`. With `email` (the
    older form), the customer with that address among theirs, as a list of one or none."""
    if email is not None:
        found = await store.find_customer(email)
        return [] if found is None else [found]
    if q.strip():
        try:
            customer_term(q)
        except ValueError as error:
            raise Problem(400, "Bad query", str(error)) from None
    return await store.list_customers(q, after=after, limit=limit)


@router.get("/customers/{customer_id}")
async def get_customer(customer_id: PathId, store: Stored, agent: Signed) -> CustomerRecord:
    """A customer's record; one merged into another answers the other's (see its `id`)."""
    return await store.get_customer_record(customer_id)


@router.patch("/customers/{customer_id}")
async def update_customer(
    customer_id: PathId, change: CustomerChange, store: Stored, caller: Calling
) -> CustomerRecord:
    """Change a record, naming the version you saw: a stale one is a 409 carrying the
    record as it is now (`current`, with `current_kind: "customer"`)."""
    return await store.update_customer(
        customer_id, change.changes(), expected_version=change.expected_version, actor_id=caller.actor_id
    )


@router.post("/customers/{customer_id}/merge")
async def merge_customers(
    customer_id: PathId, merge: MergeInto, store: Stored, admin: Admin, caller: Calling
) -> CustomerMerge:
    """The same person entered twice: this customer's tickets, addresses, tags and notes
    go to `into`, and this customer's id leads there from now on."""
    return await store.merge_customers(customer_id, merge.into, actor_id=caller.actor_id)


@router.get("/customers/{customer_id}/tickets")
async def customer_tickets(
    customer_id: PathId,
    store: Stored,
    caller: Calling,
    q: SearchText = "",
    sort: Sort = Sort.UPDATED,
    after: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> QueuePage:
    """The customer's tickets, narrowed by `q` (the search syntax), as a queue page."""
    customer = await store.get_customer(customer_id)
    query = of_customer(customer.id, search(q))
    page = await store.list_tickets(query, viewer_id=caller.actor_id, sort=sort, after=after, limit=limit)
    return QueuePage.of(page)


@router.get("/customers/{customer_id}/ticket-count")
async def customer_ticket_count(customer_id: PathId, store: Stored, agent: Signed) -> Count:
    return Count(count=await store.customer_ticket_count(customer_id))
