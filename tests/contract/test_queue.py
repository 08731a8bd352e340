"""The queue: search syntax filters, counts, every sort order, and keyset paging."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from cs_tui.domain.models import Agent, Channel, Priority, Status, Ticket, TicketChanges
from cs_tui.domain.query import Sort, parse
from cs_tui.store import InvalidInput, Store

from .helpers import (
    all_tickets,
    at,
    customer_writes,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    ticket_record,
)


@dataclass(frozen=True, slots=True)
class Desk:
    ana: Agent
    rudi: Agent


async def fill_desk(store: Store) -> Desk:
    """Seven tickets that differ in every field the search syntax filters on.

    | subject                  | status  | priority | channel  | assignee | tags                    |
    | Refund belum masuk       | open    | high     | email    | ana      | refund                  |
    | Paket tidak datang       | new     | urgent   | whatsapp | -        | late-delivery, shipping |
    | Ganti alamat pengiriman  | pending | normal   | chat     | rudi     | address                 |
    | Minta faktur             | solved  | low      | web      | ana      | invoice                 |
    | Akun terkunci            | on_hold | urgent   | phone    | ana      | spam                    |
    | Promo spam               | closed  | low      | social   | -        | spam                    |
    | Pesanan lama             | open    | normal   | email    | -        | (imported, long overdue)|
    """
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    rudi = await store.create_agent("Rudi Hartono", "rudi@tokoku.example")

    async def change(ticket: Ticket, **changes: Any) -> None:
        current = await store.get_ticket(ticket.id)
        await store.update_ticket(
            ticket.id, TicketChanges(**changes), expected_version=current.version, actor_id=None
        )

    refund = await open_ticket(
        store, "Refund belum masuk", priority=Priority.HIGH, tags=("refund",), body="Dana saya kapan kembali?"
    )
    await reply(store, refund.id, ana, "Kami proses hari ini.")
    await change(refund, assignee_id=ana.id)

    await open_ticket(
        store,
        "Paket tidak datang",
        email="siti@example.com",
        name="Siti Rahayu",
        body="Paket saya belum sampai, tolong dicek.",
        priority=Priority.URGENT,
        channel=Channel.WHATSAPP,
        tags=("late-delivery", "shipping"),
    )

    address = await open_ticket(
        store,
        "Ganti alamat pengiriman",
        email="budi.s@example.com",
        name="Budi Santoso",
        body="Alamat saya pindah ke Bandung.",
        channel=Channel.CHAT,
        tags=("address",),
    )
    await change(address, status=Status.PENDING, assignee_id=rudi.id)

    invoice = await open_ticket(
        store, "Minta faktur", priority=Priority.LOW, channel=Channel.WEB, tags=("invoice",), body="Faktur?"
    )
    await reply(store, invoice.id, ana, "Customer asked twice already", internal=True)
    await change(invoice, status=Status.SOLVED, assignee_id=ana.id)

    locked = await open_ticket(
        store,
        "Akun terkunci",
        email="joko@example.com",
        name="Joko Susilo",
        body="Tidak bisa login.",
        priority=Priority.URGENT,
        channel=Channel.PHONE,
        tags=("spam",),
    )
    await change(locked, status=Status.ON_HOLD, assignee_id=ana.id)

    promo = await open_ticket(
        store,
        "Promo spam",
        email="promo@spam.example",
        name="Promo Bot",
        body="Menangkan hadiah!",
        priority=Priority.LOW,
        channel=Channel.SOCIAL,
        tags=("spam",),
    )
    await set_status(store, promo, Status.CLOSED)

    report = await import_records(
        store, [ticket_record("legacy-1", subject="Pesanan lama", created_at=at(days=-400))]
    )
    assert report.imported == 1
    return Desk(ana, rudi)


ALL = {
    "Refund belum masuk",
    "Paket tidak datang",
    "Ganti alamat pengiriman",
    "Minta faktur",
    "Akun terkunci",
    "Promo spam",
    "Pesanan lama",
}
ACTIVE = ALL - {"Minta faktur", "Promo spam"}

SEARCHES: dict[str, set[str]] = {
    "": ALL,
    "status:open": {"Refund belum masuk", "Pesanan lama"},
    "status:open,pending": {"Refund belum masuk", "Ganti alamat pengiriman", "Pesanan lama"},
    "status:new": {"Paket tidak datang"},
    "status:solved,closed": {"Minta faktur", "Promo spam"},
    "status:on-hold": {"Akun terkunci"},
    "-status:solved,closed": ACTIVE,
    "priority:urgent": {"Paket tidak datang", "Akun terkunci"},
    "priority:low,high": {"Refund belum masuk", "Minta faktur", "Promo spam"},
    "assignee:me": {"Refund belum masuk", "Minta faktur", "Akun terkunci"},
    "assignee:none": {"Paket tidak datang", "Promo spam", "Pesanan lama"},
    "assignee:rudi@tokoku.example": {"Ganti alamat pengiriman"},
    "assignee:me,none": {
        "Refund belum masuk",
        "Minta faktur",
        "Akun terkunci",
        "Paket tidak datang",
        "Promo spam",
        "Pesanan lama",
    },
    "assignee:me status:open,new,pending,on_hold": {"Refund belum masuk", "Akun terkunci"},
    "assignee:none status:new": {"Paket tidak datang"},
    "tag:refund": {"Refund belum masuk"},
    "tag:Late-Delivery": {"Paket tidak datang"},
    "tag:spam,invoice": {"Akun terkunci", "Promo spam", "Minta faktur"},
    "-tag:spam": ALL - {"Akun terkunci", "Promo spam"},
    "channel:whatsapp": {"Paket tidak datang"},
    "channel:email,web": {"Refund belum masuk", "Minta faktur", "Pesanan lama"},
    "channel:email": {"Refund belum masuk", "Pesanan lama"},
    "customer:dewi@example.com": {"Refund belum masuk", "Minta faktur", "Pesanan lama"},
    "customer:SITI@example.com": {"Paket tidak datang"},
    "breaching:yes": {"Pesanan lama"},
    "breaching:no": ALL - {"Pesanan lama"},
    # Free words: subject, any message (notes too), customer name and email.
    "refund": {"Refund belum masuk"},
    "refu": {"Refund belum masuk"},
    "belum": {"Refund belum masuk", "Paket tidak datang"},
    "sampai": {"Paket tidak datang"},
    "BANDUNG": {"Ganti alamat pengiriman"},
    "proses": {"Refund belum masuk"},
    "twice": {"Minta faktur"},
    "rahayu": {"Paket tidak datang"},
    "Budi Santoso": {"Ganti alamat pengiriman"},
    "lestari": {"Refund belum masuk", "Minta faktur", "Pesanan lama"},
    "joko@example.com": {"Akun terkunci"},
    '"belum sampai"': {"Paket tidak datang"},
    "belum -sampai": {"Refund belum masuk"},
    "tidak": {"Paket tidak datang", "Akun terkunci"},
    "zzyzx": set(),
    # Combined
    "belum status:new": {"Paket tidak datang"},
    "belum assignee:none status:new,open,pending,on_hold": {"Paket tidak datang"},
    "lestari -tag:invoice status:open": {"Refund belum masuk", "Pesanan lama"},
    "priority:urgent channel:whatsapp,phone tidak -status:on_hold": {"Paket tidak datang"},
    "tag:spam status:solved,closed promo": {"Promo spam"},
}


@pytest.mark.parametrize("text", list(SEARCHES))
async def test_a_search_lists_what_it_matches_and_counts_what_it_lists(store: Store, text: str) -> None:
    desk = await fill_desk(store)
    listed = await all_tickets(store, text, viewer_id=desk.ana.id, page_size=3)
    subjects = [t.subject for t in listed]
    assert Counter(subjects) == Counter(SEARCHES[text])
    query = parse(text) if text else None
    assert await store.count_tickets(query, viewer_id=desk.ana.id) == len(listed)


async def test_counts_follow_changes(store: Store) -> None:
    desk = await fill_desk(store)
    for text in ("status:new", "assignee:none", "assignee:me status:open", "tag:refund"):
        query = parse(text)
        assert await store.count_tickets(query, viewer_id=desk.ana.id) == len(
            await all_tickets(store, text, viewer_id=desk.ana.id)
        )
    [new] = await all_tickets(store, "status:new")
    await reply(store, new.id, desk.ana)
    taken = await store.get_ticket(new.id)
    await store.update_ticket(
        new.id, TicketChanges(assignee_id=desk.ana.id), expected_version=taken.version, actor_id=None
    )
    assert await store.count_tickets(parse("status:new")) == 0
    assert await store.count_tickets(parse("assignee:none")) == 2
    assert await store.count_tickets(parse("assignee:me status:open"), viewer_id=desk.ana.id) == 2


@pytest.mark.parametrize(
    "text",
    [
        r'"sampai\" OR \"refund"',
        "NEAR(belum sampai)",
        "belum OR refund",
        "paket*",
        "- paket",
        "!!! ??? belum",
        "'; DROP TABLE tickets; --",
        "paket\x00 belum",
    ],
)
async def test_search_text_is_never_read_as_query_syntax(store: Store, text: str) -> None:
    """Whatever an agent types, the queue answers and the count agrees with the list."""
    await fill_desk(store)
    query = parse(text)
    page = await store.list_tickets(query, limit=50)
    assert page.total == len(page.tickets) == await store.count_tickets(query)
    assert await store.count_tickets() == len(ALL)


@pytest.mark.parametrize("cursor", ["1", "x:y", "9223372036854775808:1", "1:2:3"])
async def test_a_cursor_not_made_by_the_queue_is_refused(store: Store, cursor: str) -> None:
    await fill_desk(store)
    with pytest.raises(InvalidInput):
        await store.list_tickets(after=cursor)


async def test_assignee_me_without_knowing_who_is_asking_is_refused(store: Store) -> None:
    await fill_desk(store)
    with pytest.raises(InvalidInput):
        await store.list_tickets(parse("assignee:me"))


def sort_key(sort: Sort) -> Callable[[Ticket], tuple[Any, ...]]:
    """The order each Sort promises, as a key for ascending order."""
    far = datetime.max.replace(tzinfo=at().tzinfo)
    keys: dict[Sort, Callable[[Ticket], tuple[Any, ...]]] = {
        Sort.UPDATED: lambda t: (-t.updated_at.timestamp(), -t.id),
        Sort.CREATED: lambda t: (-t.created_at.timestamp(), -t.id),
        Sort.OLDEST: lambda t: (t.created_at, t.id),
        Sort.SLA: lambda t: (t.sla_due_at or far, t.id),
        Sort.PRIORITY: lambda t: (-t.priority.rank, -t.updated_at.timestamp(), -t.id),
    }
    return keys[sort]


async def fill_queue(store: Store) -> list[Ticket]:
    """Twenty-four tickets spread over time and priority, with runs of equal times so
    that pages break inside ties."""
    priorities = list(Priority)
    records = []
    for n in range(24):
        created = at(minutes=10 * (n // 4))  # four tickets share each creation time
        status = Status.SOLVED if n % 5 == 0 else Status.OPEN
        records.append(
            ticket_record(
                f"queue-{n}",
                priority=priorities[n % 4],
                status=status,
                created_at=created,
                updated_at=at(minutes=90 - 10 * (n // 3)),
                messages=(
                    message_record("customer", f"Pertanyaan {n}", created),
                    *(
                        (message_record("agent:ana@tokoku.example", "Dijawab", at(minutes=10 * n)),)
                        if n % 3 == 0
                        else ()
                    ),
                ),
            )
        )
    report = await import_records(store, records)
    assert report.imported == 24
    return await all_tickets(store, page_size=100)


@pytest.mark.parametrize("sort", list(Sort))
async def test_paging_returns_every_ticket_once_in_order_while_tickets_arrive(
    store: Store, sort: Sort
) -> None:
    originals = await fill_queue(store)
    key = sort_key(sort)

    listed: list[Ticket] = []
    after: str | None = None
    pages = 0
    while True:
        page = await store.list_tickets(sort=sort, after=after, limit=5)
        listed.extend(page.tickets)
        pages += 1
        await open_ticket(store, f"Baru {pages}")
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert pages >= 5

    ids = [t.id for t in listed]
    assert len(ids) == len(set(ids)), "a ticket was listed twice"
    original_ids = {t.id for t in originals}
    seen_originals = [t for t in listed if t.id in original_ids]
    assert [t.id for t in seen_originals] == [t.id for t in sorted(originals, key=key)]
    assert listed == sorted(listed, key=key)


@pytest.mark.parametrize("sort", list(Sort))
async def test_paging_a_filtered_queue(store: Store, sort: Sort) -> None:
    await fill_queue(store)
    expected = sorted(await all_tickets(store, "status:open priority:urgent,high,low"), key=sort_key(sort))
    assert len(expected) > 6
    assert (
        await all_tickets(store, "status:open priority:urgent,high,low", sort=sort, page_size=4) == expected
    )


async def test_a_cursor_that_is_not_one_is_refused(store: Store) -> None:
    await fill_queue(store)
    with pytest.raises(InvalidInput):
        await store.list_tickets(after="not a cursor")


async def test_customer_activity_moves_a_ticket_to_the_top_of_recent(store: Store) -> None:
    await fill_queue(store)
    oldest = (await all_tickets(store, sort=Sort.UPDATED))[-1]
    await customer_writes(store, oldest.id, "Masih menunggu")
    first = (await store.list_tickets(sort=Sort.UPDATED, limit=1)).tickets[0]
    assert first.id == oldest.id


async def test_a_search_finds_a_ticket_by_its_subject_as_changed_and_its_newest_message(
    store: Store,
) -> None:
    ticket = await open_ticket(store, "Refund belum masuk")
    await store.update_ticket(
        ticket.id, TicketChanges(subject="Paket hilang"), expected_version=ticket.version, actor_id=None
    )
    await customer_writes(store, ticket.id, "Nomor resi JX0042")
    for word, found in [("refund", []), ("hilang", [ticket.id]), ("jx0042", [ticket.id])]:
        page = await store.list_tickets(parse(word))
        assert ([t.id for t in page.tickets], page.total) == (found, len(found)), word
