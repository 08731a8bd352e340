"""Merging two tickets about one matter (the rules: cs_tui.domain.merging), on every
store: one conversation in time order, one ticket closed and leading to the other,
refusals, conflicts, events, and figures that count the matter once."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from cs_tui.domain import metrics
from cs_tui.domain.metrics import Window
from cs_tui.domain.models import Csat, EventKind, Priority, Status
from cs_tui.domain.query import parse
from cs_tui.store import Conflict, InvalidInput, NotFound, Store

from .helpers import (
    all_messages,
    all_tickets,
    at,
    customer_writes,
    import_records,
    message_record,
    open_ticket,
    reply,
    set_status,
    take_events,
    ticket_record,
)
from .moving import ANA, BUDI, DEWI, Pair, bodies, by_ref, merge, two_tickets


@pytest.fixture
async def pair(store: Store) -> Pair:
    return await two_tickets(store)


async def test_the_merged_ticket_s_messages_join_the_conversation_in_time_order(
    store: Store, pair: Pair
) -> None:
    done = await merge(store, pair.newer, pair.older)

    thread = await all_messages(store, pair.older.id)
    assert bodies(thread) == [
        "Paket TN123 belum sampai",
        "Paket suami saya TN123 dimana",
        "Kami cek ke kurir dulu",
        "Alamatnya Jalan Melati 5",
        "Sudah tiga hari lho",
        f"#{pair.newer.id} merged into this ticket",
    ]
    assert [m.created_at for m in thread[:-1]] == [at(0), at(10), at(30), at(60), at(90)]
    # Read page by page, as the TUI does, it is the same conversation.
    assert bodies(await all_messages(store, pair.older.id, page_size=2)) == bodies(thread)
    # Dewi's words are still Dewi's, on Budi's ticket.
    assert [(m.author_name, m.author_email) for m in thread if "suami" in m.body] == [DEWI]
    assert thread[-1].kind.value == "system"

    merged_thread = await all_messages(store, pair.newer.id)
    assert bodies(merged_thread) == [f"Merged into #{pair.older.id}"]
    assert done.moved_messages == 2
    assert done.ticket == await store.get_ticket(pair.older.id)
    assert done.merged == await store.get_ticket(pair.newer.id)
    assert done.ticket.message_count == 6
    assert done.merged.message_count == 1


async def test_the_merged_ticket_is_closed_and_leads_to_the_other_which_takes_its_tags_and_customer(
    store: Store, pair: Pair
) -> None:
    done = await merge(store, pair.newer, pair.older)

    assert done.merged.status is Status.CLOSED
    assert done.merged.merged_into == pair.older.id
    assert done.merged.sla_due_at is None
    assert done.ticket.merged_into is None
    assert done.ticket.subject == "Paket belum sampai"
    assert done.ticket.customer.email == BUDI[1]
    assert done.ticket.tags == ("pengiriman", "urgent-customer")
    assert done.added_tags == ("urgent-customer",)
    assert done.ticket.cc == (DEWI[1],)
    assert done.added_cc == (DEWI[1],)
    assert done.ticket.version > pair.older.version
    assert done.merged.version > pair.newer.version
    assert [t.id for t in await all_tickets(store, "status:closed")] == [pair.newer.id]


async def test_search_and_counts_see_each_merged_message_once(store: Store, pair: Pair) -> None:
    assert [t.id for t in await all_tickets(store, "melati")] == [pair.newer.id]
    await merge(store, pair.newer, pair.older)

    for word in ("melati", "suami", "kurir", "tiga"):
        assert [t.id for t in await all_tickets(store, word)] == [pair.older.id], word
        assert await store.count_tickets(parse(word)) == 1, word
    assert {t.id for t in await all_tickets(store, "merged")} == {pair.older.id, pair.newer.id}
    # What is written after the merge is found where it was written.
    await customer_writes(store, pair.older.id, "Kenanga juga boleh")
    await customer_writes(store, pair.newer.id, "Anggrek")
    assert [t.id for t in await all_tickets(store, "kenanga")] == [pair.older.id]
    assert [t.id for t in await all_tickets(store, "anggrek")] == [pair.newer.id]
    assert [t.id for t in await all_tickets(store, "melati")] == [pair.older.id]


async def test_a_reply_on_the_merged_ticket_answers_the_other_but_not_one_written_before_it(
    store: Store,
) -> None:
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    early = await open_ticket(store, "Paket pertama", email=DEWI[1])
    await reply(store, early.id, ana, "Jawaban sebelum tiket kedua ada")
    waiting = await open_ticket(store, "Paket kedua", email=DEWI[1])
    assert waiting.status is Status.NEW

    done = await merge(store, early, waiting, ana)
    assert done.ticket.status is Status.NEW
    assert done.ticket.first_response_at is None
    assert done.ticket.sla_due_at == waiting.sla_due_at  # still the first-response deadline

    later = await open_ticket(store, "Paket ketiga", email=DEWI[1])
    answer = await reply(store, later.id, ana, "Jawaban untuk keduanya")
    done = await merge(store, later, waiting, ana)
    assert done.ticket.status is Status.OPEN
    assert done.ticket.first_response_at == answer.created_at
    assert done.ticket.sla_due_at == store.sla.due_at(
        priority=Priority.NORMAL,
        status=Status.OPEN,
        created_at=waiting.created_at,
        first_response_at=answer.created_at,
    )


async def test_a_solved_ticket_that_takes_one_still_waiting_is_open_again(store: Store) -> None:
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    solved = await open_ticket(store, "Refund", email=BUDI[1])
    await reply(store, solved.id, ana)
    solved = await set_status(store, solved, Status.SOLVED)
    assert solved.solved_at is not None
    waiting = await open_ticket(store, "Refund belum masuk", email=BUDI[1])

    done = await merge(store, waiting, solved, ana)
    assert done.ticket.status is Status.OPEN
    assert done.ticket.solved_at is None
    assert done.ticket.sla_due_at is not None

    # Two pending tickets stay pending: nobody waits on the team.
    first, second = await open_ticket(store, "Satu"), await open_ticket(store, "Dua")
    for ticket in (first, second):
        await reply(store, ticket.id, ana)
        await set_status(store, ticket, Status.PENDING)
    done = await merge(store, second, first, ana)
    assert done.ticket.status is Status.PENDING
    assert done.ticket.sla_due_at is None


@pytest.mark.parametrize(
    ("case", "said"),
    [
        ("itself", "cannot be merged into itself"),
        ("already merged", "already"),
        ("into a merged one", "was itself merged into"),
        ("a closed one", "is closed and stays as it is"),
        ("into a closed one", "merge into a ticket that is not closed"),
    ],
)
async def test_a_merge_the_rules_refuse_says_why_and_changes_nothing(
    store: Store, case: str, said: str
) -> None:
    one, two, three = [await open_ticket(store, f"Tiket {n}") for n in range(3)]
    await merge(store, three, two)  # three leads to two from now on
    closed = await set_status(store, await open_ticket(store, "Tutup"), Status.CLOSED)
    merged, into = {
        "itself": (one, one),
        "already merged": (three, one),
        "into a merged one": (one, three),
        "a closed one": (closed, one),
        "into a closed one": (one, closed),
    }[case]
    before = [await store.get_ticket(t.id) for t in (one, two, three, closed)]

    with pytest.raises(InvalidInput) as refused:
        await merge(store, merged, into)
    assert said in str(refused.value)
    if case == "into a merged one":
        assert f"merge into #{two.id} instead" in str(refused.value)
        assert refused.value.field == "into"
    assert [await store.get_ticket(t.id) for t in (one, two, three, closed)] == before


async def test_a_stale_version_of_either_ticket_is_a_conflict_that_merges_nothing(
    store: Store, pair: Pair
) -> None:
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    seen_older, seen_newer = pair.older, pair.newer
    await reply(store, pair.newer.id, ana, "Sudah kami teruskan")  # someone wrote meanwhile

    with pytest.raises(Conflict) as raised:
        await store.merge_tickets(
            seen_newer.id,
            seen_older.id,
            expected_version=seen_newer.version,
            into_expected_version=seen_older.version,
            actor_id=ana.id,
        )
    assert raised.value.current == await store.get_ticket(pair.newer.id)
    assert f"#{pair.newer.id} changed since you loaded it" in str(raised.value)

    newer = await store.get_ticket(pair.newer.id)
    await customer_writes(store, pair.older.id, "Halo?")
    with pytest.raises(Conflict) as raised:
        await store.merge_tickets(
            newer.id,
            seen_older.id,
            expected_version=newer.version,
            into_expected_version=seen_older.version,
            actor_id=ana.id,
        )
    assert raised.value.current == await store.get_ticket(pair.older.id)
    assert (await store.get_ticket(pair.newer.id)).merged_into is None
    assert len(await all_messages(store, pair.newer.id)) == 3


async def test_merging_a_ticket_that_is_not_there_is_not_found(store: Store, pair: Pair) -> None:
    with pytest.raises(NotFound):
        await store.merge_tickets(
            9999, pair.older.id, expected_version=1, into_expected_version=pair.older.version, actor_id=None
        )


async def test_a_merge_is_an_event_on_each_ticket(store: Store, pair: Pair) -> None:
    ana = await store.ensure_agent("Ana", "ana@tokoku.example")
    since = await store.last_event_id()
    await merge(store, pair.newer, pair.older, ana)

    events = await take_events(store, since, 2)
    assert [(e.kind, e.ticket_id, e.actor_id) for e in events] == [
        (EventKind.TICKET_MERGED, pair.newer.id, ana.id),
        (EventKind.TICKET_MERGED, pair.older.id, ana.id),
    ]
    assert all(e.kind.changes_tickets and not e.kind.opens_ticket for e in events)


async def test_a_merged_ticket_is_counted_once_in_every_figure(store: Store) -> None:
    records = [
        ticket_record(
            "kept",
            created_at=at(0),
            messages=(message_record("customer", "Halo", at(0)), message_record(ANA, "Siap", at(30))),
        ),
        ticket_record(
            "gone",
            status=Status.SOLVED,
            created_at=at(10),
            messages=(message_record("customer", "Halo lagi", at(10)), message_record(ANA, "Siap", at(20))),
            solved_at=at(50),
            csat=Csat(5, at(55)),
        ),
    ]
    await import_records(store, records)
    found = await by_ref(store)
    window, now = Window(at(-60), at(days=1)), at(days=2)
    before = await store.metrics(window, now=now)
    assert (before.frt.responded, before.resolution.solved, before.csat.count) == (2, 1, 1)
    assert await store.new_tickets_per_hour(at(0), at(60)) == [2]

    done = await merge(store, found["gone"], found["kept"])
    after = await store.metrics(window, now=now)
    reference = metrics.compute(await all_tickets(store), window, now=now, agent_id=None)
    for part in ("frt", "open", "resolution", "csat"):
        assert asdict(getattr(after, part)) == pytest.approx(asdict(getattr(reference, part))), part
    assert (after.frt.responded, after.resolution.solved, after.csat.count) == (1, 0, 0)
    # The kept ticket was answered on the other 20 minutes in, not 30.
    assert after.frt.median_s == 20 * 60
    assert done.ticket.first_response_at == at(20)
    assert after.open.open == before.open.open
    assert await store.new_tickets_per_hour(at(0), at(60)) == [1]
