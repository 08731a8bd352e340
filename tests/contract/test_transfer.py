"""Import and export: records come back as they went in, refs are imported once, and a
bad record is reported by its line while the rest import."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_tui.domain.metrics import Window
from cs_tui.domain.models import AuthorKind, Channel, Csat, Priority, Status, TicketChanges, normalize_tag
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store

from .conftest import StoreFactory
from .helpers import (
    all_messages,
    all_tickets,
    at,
    customer_writes,
    fresh_store,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    ticket_record,
)

# Records as export writes them: text already clean (no control characters, bidi
# overrides or line separators; one line where the format wants one line), emails
# lower case, tags normalised and sorted.
_REORDERING = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"
_TEXT = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=_REORDERING)
one_line = st.text(_TEXT, min_size=1, max_size=24).map(lambda s: " ".join(s.split())).filter(bool)
bodies = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=("Cc", "Cs"),
        exclude_characters=_REORDERING,
        include_characters="\n\t",
    )
)
emails = st.from_regex(r"[a-z0-9][a-z0-9._]{0,8}@[a-z]{1,8}\.example", fullmatch=True)
tags = st.text(_TEXT, max_size=12).map(normalize_tag).filter(lambda tag: tag and tag == normalize_tag(tag))
moments = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
csats = st.builds(Csat, rating=st.integers(1, 5), rated_at=moments, comment=bodies)


@st.composite
def messages(draw: st.DrawFn, agents: list[str]) -> MessageRecord:
    kinds = [AuthorKind.CUSTOMER, AuthorKind.SYSTEM] + ([AuthorKind.AGENT] if agents else [])
    kind = draw(st.sampled_from(kinds))
    return MessageRecord(
        author_kind=kind,
        agent_email=draw(st.sampled_from(agents)) if kind is AuthorKind.AGENT else None,
        body=draw(bodies),
        created_at=draw(moments),
        internal=kind is not AuthorKind.CUSTOMER and draw(st.booleans()),
        auto=draw(st.booleans()),
    )


@st.composite
def desks(draw: st.DrawFn) -> list[TicketRecord]:
    customers = draw(st.dictionaries(emails, one_line, min_size=1, max_size=4))
    agents = draw(st.lists(emails, max_size=3, unique=True))
    refs = draw(st.lists(one_line, min_size=1, max_size=5, unique=True))
    records = []
    for ref in refs:
        email = draw(st.sampled_from(sorted(customers)))
        status = draw(st.sampled_from(Status))
        records.append(
            TicketRecord(
                ref=ref,
                subject=draw(one_line),
                status=status,
                priority=draw(st.sampled_from(Priority)),
                channel=draw(st.sampled_from(Channel)),
                customer_name=customers[email],
                customer_email=email,
                assignee_email=draw(st.none() | st.sampled_from(agents)) if agents else None,
                tags=tuple(sorted(draw(st.sets(tags, max_size=4)))),
                created_at=draw(moments),
                messages=tuple(draw(st.lists(messages(agents), max_size=4))),
                updated_at=draw(moments),
                solved_at=None if status.is_active else draw(moments),
                csat=draw(st.none() | csats),
            )
        )
    return records


def without_ids(records: list[TicketRecord]) -> list[TicketRecord]:
    return [dataclasses.replace(record, id=None) for record in records]


async def export_all(store: Store) -> list[TicketRecord]:
    return [record async for record in store.export_tickets()]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=desks())
async def test_exporting_imported_records_gives_them_back(
    store_factory: StoreFactory, records: list[TicketRecord]
) -> None:
    async with fresh_store(store_factory) as store:
        report = await import_records(store, records)
        assert (report.imported, report.skipped, report.problems) == (len(records), 0, [])
        exported = await export_all(store)
    assert all(record.id is not None for record in exported)
    assert without_ids(exported) == records


async def test_importing_the_same_records_twice_adds_nothing(store: Store) -> None:
    records = [ticket_record(f"zd-{n}", created_at=at(days=n)) for n in range(5)]
    first = await import_records(store, records)
    assert (first.imported, first.skipped) == (5, 0)

    again = await import_records(store, [*records, ticket_record("zd-new")])
    assert (again.imported, again.skipped, again.problems) == (1, 5, [])
    assert await store.count_tickets() == 6


async def test_a_ref_twice_in_one_import_is_imported_once(store: Store) -> None:
    report = await import_records(store, [ticket_record("dup", subject="Pertama"), ticket_record("dup")])
    assert (report.imported, report.skipped) == (1, 1)
    [ticket] = await all_tickets(store)
    assert ticket.subject == "Pertama"


async def test_a_file_without_refs_imported_twice_adds_its_tickets_once(store: Store) -> None:
    records = [ticket_record(None, subject="Tanpa ref"), ticket_record(None, subject="No ref either")]
    first = await import_records(store, records)
    again = await import_records(store, records)
    assert (first.imported, again.imported, again.skipped) == (2, 0, 2)
    assert sorted(t.subject for t in await all_tickets(store)) == ["No ref either", "Tanpa ref"]


async def test_imported_tickets_are_worked_like_any_other(store: Store) -> None:
    created = at(days=-1)
    ana, rudi = "agent:ana@tokoku.example", "agent:rudi@tokoku.example"
    record = ticket_record(
        "legacy-7",
        subject="Refund lama",
        status=Status.OPEN,
        priority=Priority.HIGH,
        assignee="ana@tokoku.example",
        tags=("refund",),
        created_at=created,
        messages=(
            message_record("customer", "Dana belum kembali", created),
            message_record(ana, "Cek dulu", created + timedelta(minutes=5), internal=True),
            message_record(rudi, "Terima kasih", created + timedelta(minutes=6), auto=True),
            message_record(ana, "Sudah kami proses", created + timedelta(minutes=50)),
        ),
    )
    await import_records(store, [record])

    [ticket] = await all_tickets(store, "refund")
    assert ticket.ref == "legacy-7"
    assert ticket.assignee is not None
    assert ticket.assignee.email == "ana@tokoku.example"
    assert ticket.first_response_at == created + timedelta(minutes=50)
    assert ticket.sla_due_at == created + store.sla.targets[Priority.HIGH].resolution
    assert ticket.message_count == 4
    thread = await all_messages(store, ticket.id)
    assert [(m.body, m.internal, m.auto) for m in thread] == [
        ("Dana belum kembali", False, False),
        ("Cek dulu", True, False),
        ("Terima kasih", False, True),
        ("Sudah kami proses", False, False),
    ]

    agent = await store.find_agent("ana@tokoku.example")
    assert agent is not None
    assert [t.id for t in await all_tickets(store, "assignee:me", viewer_id=agent.id)] == [ticket.id]
    await customer_writes(store, ticket.id, "Terima kasih!")
    solved = await set_status(store, ticket, Status.SOLVED)
    assert solved.solved_at is not None
    assert (await store.get_ticket(ticket.id)).message_count == 5


def _bad(ref: str, **fields: Any) -> TicketRecord:
    return dataclasses.replace(ticket_record(ref), **fields)


BAD_RECORDS: dict[str, tuple[TicketRecord, str]] = {
    "customer email": (_bad("bad-email", customer_email="dewi at example.com"), "customer.email"),
    "empty subject": (_bad("bad-subject", subject="  "), "subject"),
    "assignee not an email": (_bad("bad-assignee", assignee_email="ana"), "assignee"),
    "agent without email": (
        _bad("bad-author", messages=(message_record("agent:", "Halo", at()),)),
        "author",
    ),
    "customer note": (
        _bad("bad-note", messages=(message_record("customer", "Rahasia", at(), internal=True),)),
        "internal",
    ),
    "rating of 9": (_bad("bad-csat", csat=Csat(9, at())), "csat"),
}


@pytest.mark.parametrize("name", list(BAD_RECORDS))
async def test_a_bad_record_is_reported_by_line_and_the_rest_import(store: Store, name: str) -> None:
    bad, field = BAD_RECORDS[name]
    numbered = [
        (1, ticket_record("ok-1")),
        (2, ticket_record("ok-2")),
        (4, bad),
        (7, ticket_record("ok-7")),
    ]
    report = await store.import_tickets(numbered)

    assert report.imported == 3
    [problem] = report.problems
    assert problem.line == 4
    assert field in problem.message
    assert sorted(t.ref or "" for t in await all_tickets(store)) == ["ok-1", "ok-2", "ok-7"]


async def test_bad_records_among_many_are_each_reported(store: Store) -> None:
    numbered = []
    for line in range(1, 61):
        record = ticket_record(f"t-{line}")
        if line % 13 == 0:
            record = dataclasses.replace(record, customer_email="bukan-email")
        numbered.append((line, record))
    report = await store.import_tickets(numbered)
    assert [p.line for p in report.problems] == [13, 26, 39, 52]
    assert report.imported == 56
    assert await store.count_tickets() == 56


async def test_moving_a_desk_to_a_new_store_keeps_its_tickets_and_figures(
    store: Store, store_factory: StoreFactory
) -> None:
    """Export from a store worked live, import into an empty one: same tickets, same metrics."""
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    answered = await open_ticket(store, "Refund belum masuk", tags=("refund",), priority=Priority.HIGH)
    await reply(store, answered.id, ana, "Catatan", internal=True)
    await reply(store, answered.id, ana, "Sudah kami proses")
    waiting = await open_ticket(store, "Paket hilang", email="siti@example.com", name="Siti Rahayu")
    await reply(store, waiting.id, ana, "Terima kasih, pesan diterima", auto=True)
    solved = await open_ticket(store, "Ganti alamat", channel=Channel.CHAT)
    await reply(store, solved.id, ana)
    await set_status(store, solved, Status.SOLVED)
    await store.rate_ticket(solved.id, Csat(4, utcnow(), "Oke"))
    reopened = await open_ticket(store, "Akun terkunci")
    await reply(store, reopened.id, ana)
    await set_status(store, reopened, Status.SOLVED)
    await customer_writes(store, reopened.id, "Masih terkunci")
    current = await store.get_ticket(reopened.id)
    await store.update_ticket(
        reopened.id, TicketChanges(assignee_id=ana.id), expected_version=current.version, actor_id=ana.id
    )

    exported = await export_all(store)
    now = utcnow() + timedelta(minutes=1)
    window = Window(now - timedelta(days=1), now)
    async with fresh_store(store_factory) as moved:
        report = await moved.import_tickets(enumerate(exported, start=1))
        assert (report.imported, report.problems) == (4, [])
        assert without_ids(await export_all(moved)) == without_ids(exported)

        before = {t.ref: t for t in await all_tickets(store)}
        after = {t.ref: t for t in await all_tickets(moved)}
        assert before.keys() == after.keys()
        for ref, ticket in before.items():
            other = after[ref]
            for name in ("subject", "status", "priority", "channel", "tags", "created_at", "updated_at"):
                assert getattr(other, name) == getattr(ticket, name), (ref, name)
            for name in ("first_response_at", "solved_at", "sla_due_at", "csat", "message_count"):
                assert getattr(other, name) == getattr(ticket, name), (ref, name)
            assert other.customer.email == ticket.customer.email

        moved_ana = await moved.find_agent("ana@tokoku.example")
        assert moved_ana is not None
        ours = await store.metrics(window, viewer_id=ana.id, now=now)
        theirs = await moved.metrics(window, viewer_id=moved_ana.id, now=now)
    assert theirs == ours
