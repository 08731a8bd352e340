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
from cs_tui.store.base import ImportProblem

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
LAST = datetime(2025, 12, 31)
"""The latest time drawn: in the past of every run, so that every time can be."""


def since(moment: datetime) -> st.SearchStrategy[datetime]:
    """Times from `moment` on: a ticket's messages, solved, updated and rated times come
    after its creation (those that cannot be are tests of their own)."""
    return st.datetimes(min_value=moment.replace(tzinfo=None), max_value=LAST, timezones=st.just(UTC))


moments = since(datetime(2001, 1, 1))


@st.composite
def messages(draw: st.DrawFn, agents: list[str], created_at: datetime) -> MessageRecord:
    kinds = [AuthorKind.CUSTOMER, AuthorKind.SYSTEM] + ([AuthorKind.AGENT] if agents else [])
    kind = draw(st.sampled_from(kinds))
    return MessageRecord(
        author_kind=kind,
        agent_email=draw(st.sampled_from(agents)) if kind is AuthorKind.AGENT else None,
        body=draw(bodies),
        created_at=draw(since(created_at)),
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
        created_at = draw(moments)
        csats = st.builds(Csat, rating=st.integers(1, 5), rated_at=since(created_at), comment=bodies)
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
                created_at=created_at,
                messages=tuple(draw(st.lists(messages(agents, created_at), max_size=4))),
                updated_at=draw(since(created_at)),
                solved_at=None if status.is_active else draw(since(created_at)),
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


async def test_a_ref_twice_in_one_import_is_imported_once_and_named_as_a_repeat(store: Store) -> None:
    report = await import_records(store, [ticket_record("dup", subject="Pertama"), ticket_record("dup")])
    assert (report.imported, report.skipped, report.repeated) == (1, 0, 1)
    assert report.warnings == [
        ImportProblem(2, "\"ref\" 'dup' repeats line 1 of this file; only line 1 is imported")
    ]
    [ticket] = await all_tickets(store)
    assert ticket.subject == "Pertama"

    again = await import_records(store, [ticket_record("dup"), ticket_record("dup")])
    assert (again.imported, again.skipped, again.repeated) == (0, 1, 1)


async def test_a_repeat_many_lines_on_names_the_line_it_repeats(store: Store) -> None:
    """However the store splits the import in batches."""
    records = [ticket_record(f"t-{n}", messages=()) for n in range(1, 2102)]
    numbered = [*enumerate(records, start=1), (2102, ticket_record("t-1")), (2103, ticket_record(None))]
    numbered.append((2104, ticket_record(None)))
    report = await store.import_tickets(numbered)

    assert (report.imported, report.skipped, report.repeated, report.problems) == (2102, 0, 2, [])
    assert [(w.line, w.message.split(";")[0]) for w in report.warnings] == [
        (2102, "\"ref\" 't-1' repeats line 1 of this file"),
        (
            2104,
            "the same ticket as line 2103 of this file "
            "(same customer, creation time, subject and first message)",
        ),
    ]


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
        assert (report.imported, report.problems, report.warnings) == (4, [], [])
        assert await export_all(moved) == exported

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


async def test_times_that_cannot_be_are_taken_in_with_a_warning_naming_the_line(store: Store) -> None:
    before = utcnow()
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    created = at()
    numbered = [
        (1, ticket_record("ok", created_at=created)),
        (2, ticket_record("from-the-future", created_at=far, messages=(), updated_at=far)),
        (
            3,
            ticket_record(
                "answered-before-asked",
                created_at=created,
                messages=(
                    message_record("customer", "Halo", created),
                    message_record("agent:ana@tokoku.example", "Sudah", created - timedelta(days=1)),
                ),
            ),
        ),
        (
            4,
            ticket_record(
                "solved-before-created", status=Status.SOLVED, solved_at=created - timedelta(hours=3)
            ),
        ),
    ]
    report = await store.import_tickets(numbered)
    after = utcnow()

    assert (report.imported, report.problems) == (4, [])
    said = {(w.line, w.message.split(" ")[0]) for w in report.warnings}
    assert said == {
        (2, '"created_at"'),
        (2, '"updated_at"'),
        (3, '"messages[1].created_at"'),
        (4, '"solved_at"'),
    }
    tickets = {t.ref: t for t in await all_tickets(store)}
    future = tickets["from-the-future"]
    assert before <= future.created_at <= after
    assert before <= future.updated_at <= after
    assert tickets["answered-before-asked"].first_response_at == created
    assert tickets["solved-before-created"].solved_at == created

    # Not pinned to the top of the queue: a ticket opened later is above it.
    later = await open_ticket(store, "Opened after the import")
    [first, *_] = await all_tickets(store)
    assert first.id == later.id

    figures = await store.metrics(Window(created - timedelta(days=2), after + timedelta(days=1)), now=after)
    assert figures.frt.median_s == 0
    assert figures.resolution.median_s == 0


async def test_a_ticket_the_store_cannot_keep_is_one_bad_line_and_the_rest_go_in(store: Store) -> None:
    """Half of a surrogate pair, which no UTF-8 store can take, in a record that never
    was a line (a line's are mended as it is read)."""
    numbered = [(n, ticket_record(f"ok-{n}")) for n in range(1, 9)]
    numbered.insert(4, (40, ticket_record("broken", subject="Paket \ud83d rusak")))
    report = await store.import_tickets(numbered)
    assert report.imported == 8
    assert [problem.line for problem in report.problems] == [40]
    assert await store.count_tickets() == 8


async def test_a_batch_bigger_than_one_request_still_goes_in_whole(store: Store) -> None:
    body = "Isi pesan yang panjang sekali. " * 30_000  # 930,000 characters
    records = [
        ticket_record(f"big-{n}", messages=tuple(message_record("customer", body, at(n)) for n in range(3)))
        for n in range(8)
    ]
    report = await import_records(store, records)
    assert (report.imported, report.problems) == (8, [])


async def test_ids_are_kept_where_they_are_free(store: Store) -> None:
    first = await import_records(
        store,
        [
            dataclasses.replace(ticket_record("zd-7"), id=7),
            dataclasses.replace(ticket_record("zd-3"), id=3),
            ticket_record("zd-none"),
        ],
    )
    assert (first.imported, first.warnings) == (3, [])
    assert sorted((t.id, t.ref) for t in await all_tickets(store)) == [
        (3, "zd-3"),
        (7, "zd-7"),
        (8, "zd-none"),
    ]

    second = await import_records(store, [dataclasses.replace(ticket_record("other-7"), id=7)])
    assert second.imported == 1
    assert second.warnings == [
        ImportProblem(1, '"id" 7 was not kept (another ticket has it); this ticket is #9')
    ]
    assert (await open_ticket(store, "Live")).id == 10
