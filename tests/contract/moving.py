"""What the merge and split tests share: merging and splitting as an agent does, with
the versions they see, and two tickets about one parcel."""

from __future__ import annotations

from dataclasses import dataclass

from cs_tui.domain.merging import TicketMerge, TicketSplit
from cs_tui.domain.models import Agent, Message, Status, Ticket
from cs_tui.store import Store

from .helpers import all_tickets, at, import_records, message_record, ticket_record

ANA = "agent:ana@tokoku.example"
BUDI = ("Budi Santoso", "budi@example.com")
DEWI = ("Dewi Lestari", "dewi@example.com")


async def merge(store: Store, merged: Ticket, into: Ticket, agent: Agent | None = None) -> TicketMerge:
    """Merge as an agent does: with the versions they see now."""
    merged, into = await store.get_ticket(merged.id), await store.get_ticket(into.id)
    return await store.merge_tickets(
        merged.id,
        into.id,
        expected_version=merged.version,
        into_expected_version=into.version,
        actor_id=agent.id if agent else None,
    )


async def split(
    store: Store, ticket: Ticket, message: Message, *, and_after: bool = False, subject: str | None = None
) -> TicketSplit:
    current = await store.get_ticket(ticket.id)
    return await store.split_ticket(
        ticket.id,
        message.id,
        and_after=and_after,
        subject=subject,
        expected_version=current.version,
        actor_id=None,
    )


def bodies(messages: list[Message]) -> list[str]:
    return [m.body for m in messages]


async def by_ref(store: Store) -> dict[str | None, Ticket]:
    return {t.ref: t for t in await all_tickets(store)}


@dataclass(frozen=True, slots=True)
class Pair:
    """Two tickets about one parcel, written into each other's time: Budi's first (A),
    then Dewi's about the same order (B) while A was being answered."""

    older: Ticket
    newer: Ticket


async def two_tickets(store: Store) -> Pair:
    records = [
        ticket_record(
            "older",
            subject="Paket belum sampai",
            customer=BUDI,
            created_at=at(0),
            tags=("pengiriman",),
            messages=(
                message_record("customer", "Paket TN123 belum sampai", at(0)),
                message_record(ANA, "Kami cek ke kurir dulu", at(30)),
                message_record("customer", "Sudah tiga hari lho", at(90)),
            ),
        ),
        ticket_record(
            "newer",
            subject="Titip tanya paket",
            customer=DEWI,
            created_at=at(10),
            tags=("urgent-customer",),
            status=Status.NEW,
            messages=(
                message_record("customer", "Paket suami saya TN123 dimana", at(10)),
                message_record("customer", "Alamatnya Jalan Melati 5", at(60)),
            ),
        ),
    ]
    report = await import_records(store, records)
    assert report.imported == 2, report.problems
    found = await by_ref(store)
    return Pair(found["older"], found["newer"])
