"""Merging two tickets about one matter, and splitting messages off a ticket into a
new one, over HTTP (the rules: cs_tui.domain.merging)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import Field

from cs_tui.domain.merging import TicketMerge, TicketSplit
from cs_tui.server.auth import Calling
from cs_tui.server.bodies import Body, Id, PathId
from cs_tui.server.tickets import Stored

router = APIRouter(tags=["tickets"])


class MergeTicket(Body):
    """A merge, naming the version seen of each ticket."""

    into: Id = Field(description="the ticket to keep, which this one is merged into")
    expected_version: Id = Field(description="the version of this ticket (the one merged in) you saw")
    into_expected_version: Id = Field(description="the version of `into` you saw")


class SplitOff(Body):
    """A split, naming the version of the ticket seen."""

    message_id: Id = Field(description="the message the new ticket opens with: one the customer wrote")
    and_after: bool = Field(False, description="every message after it goes to the new ticket too")
    subject: str | None = Field(None, description="the new ticket's subject (default: this ticket's)")
    expected_version: Id


@router.post("/tickets/{ticket_id}/merge")
async def merge_tickets(ticket_id: PathId, merge: MergeTicket, store: Stored, caller: Calling) -> TicketMerge:
    """Merge this ticket into `into`: its messages join that ticket's conversation in
    time order, its tags and customer join that ticket's, and it is closed, leading
    there (`merged_into`). A stale version of either ticket is a 409 carrying that
    ticket as it is; a merge the rules refuse (into itself, a ticket merged or closed)
    is a 422 that says why."""
    return await store.merge_tickets(
        ticket_id,
        merge.into,
        expected_version=merge.expected_version,
        into_expected_version=merge.into_expected_version,
        actor_id=caller.actor_id,
    )


@router.post("/tickets/{ticket_id}/split", status_code=201)
async def split_ticket(ticket_id: PathId, split: SplitOff, store: Stored, caller: Calling) -> TicketSplit:
    """Move `message_id` (and, with `and_after`, every message after it) into a new
    ticket of the same customer. A stale version is a 409 carrying the ticket as it
    is; a split the rules refuse (the first message, an agent's, a closed ticket) is a
    422 that says why, with `field`."""
    return await store.split_ticket(
        ticket_id,
        split.message_id,
        and_after=split.and_after,
        subject=split.subject,
        expected_version=split.expected_version,
        actor_id=caller.actor_id,
    )
