"""Request and response bodies that are not domain objects themselves."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cs_tui.domain.customers import CustomerChanges, Identity, IdentityKind
from cs_tui.domain.models import UNSET, Activity, DraftKind, Priority, Role, Status, TicketChanges, Unset

MAX_ID = 2**63 - 1
"""The largest id a store keeps (SQLite's INTEGER)."""
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC, as stores keep it (a time without an offset is taken as UTC);
    a ValueError for one UTC has no date for, such as 0001-01-01T00:00+01:00."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("the time is out of range in UTC") from None


Moment = Annotated[datetime, AfterValidator(_in_utc)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Change(Body):
    """A change to a ticket, with the version it was made against. A field left out
    stays as it is; `assignee_id: null` unassigns; `snoozed_until` snoozes the ticket
    (pending until then), `null` ends its snooze."""

    expected_version: Id
    status: Status | None = None
    priority: Priority | None = None
    assignee_id: Id | None = None
    subject: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    snoozed_until: Moment | None = Field(
        None, description="pending until this time, then open again; null ends the snooze"
    )

    def changes(self) -> TicketChanges:
        assignee: int | Unset | None = self.assignee_id if "assignee_id" in self.model_fields_set else UNSET
        snooze: datetime | Unset | None = (
            self.snoozed_until if "snoozed_until" in self.model_fields_set else UNSET
        )
        return TicketChanges(
            status=self.status,
            priority=self.priority,
            assignee_id=assignee,
            subject=self.subject,
            add_tags=self.add_tags,
            remove_tags=self.remove_tags,
            snoozed_until=snooze,
        )


class WakeAt(Body):
    now: Moment | None = Field(None, description="wake those due by then; null: the server's clock")


class IdentityBody(Body):
    """An address of a customer: an email, a phone or WhatsApp number, an account."""

    kind: IdentityKind = IdentityKind.EMAIL
    value: str

    def identity(self) -> Identity:
        return Identity(self.kind, self.value)


class CustomerChange(Body):
    """A change to a customer's record, with the version it was made against. A field
    left out stays as it is; `notes` is the whole new text of the notes."""

    expected_version: Id
    name: str | None = None
    notes: str | None = None
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()
    add_identities: tuple[IdentityBody, ...] = ()
    remove_identities: tuple[IdentityBody, ...] = ()

    def changes(self) -> CustomerChanges:
        return CustomerChanges(
            name=self.name,
            notes=self.notes,
            add_tags=self.add_tags,
            remove_tags=self.remove_tags,
            add_identities=tuple(i.identity() for i in self.add_identities),
            remove_identities=tuple(i.identity() for i in self.remove_identities),
        )


class MergeInto(Body):
    into: Id = Field(description="the customer to keep, whom this one is merged into")


class DraftText(Body):
    body: str
    kind: DraftKind = DraftKind.REPLY


class Rating(Body):
    rating: int = Field(ge=1, le=5)
    rated_at: Moment
    comment: str = ""


class NewAgent(Body):
    name: str
    email: str
    role: Role = Role.AGENT
    token_hash: str | None = Field(
        None, description="SHA-256 of a token the client made; the token never travels"
    )


class AgentSpec(Body):
    name: str
    email: str


class TokenHash(Body):
    token_hash: str | None = Field(description="the new token's SHA-256, or null to revoke")


class ReadUpTo(Body):
    message_id: Id


class Whereabouts(Body):
    ticket_id: Id | None = Field(description="the ticket the session is on, or null: it left")
    activity: Activity = Activity.VIEWING


class Count(BaseModel):
    count: int


class EventId(BaseModel):
    id: int


class ImportLine(Body):
    line: Id
    record: dict[str, object] = Field(
        description="one ticket in the import format, as `cs-tui import` reads it"
    )


class ImportBatch(Body):
    records: list[ImportLine] = Field(max_length=5000)
