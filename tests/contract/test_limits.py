"""What a store takes is bounded, at every door alike, and what it refuses is refused
with a message that names the limit; a text at the limit goes in."""

from __future__ import annotations

import pytest

from cs_tui.domain import limits
from cs_tui.domain.models import CannedResponse, Draft, NewMessage, TicketChanges
from cs_tui.store import InvalidInput, Store

from .helpers import all_tickets, at, import_records, message_record, open_ticket, reply, ticket_record


def names_the_limit(limit: int) -> str:
    return rf"the limit is {limit:,}"


async def test_a_subject_past_the_limit_is_refused_and_one_at_it_goes_in(store: Store) -> None:
    with pytest.raises(InvalidInput, match=names_the_limit(limits.SUBJECT_CHARS)):
        await open_ticket(store, "x" * (limits.SUBJECT_CHARS + 1))
    ticket = await open_ticket(store, "x" * limits.SUBJECT_CHARS)
    assert len(ticket.subject) == limits.SUBJECT_CHARS

    with pytest.raises(InvalidInput, match=names_the_limit(limits.SUBJECT_CHARS)):
        await store.update_ticket(
            ticket.id,
            TicketChanges(subject="y" * (limits.SUBJECT_CHARS + 1)),
            expected_version=ticket.version,
            actor_id=None,
        )


async def test_a_body_past_the_limit_is_refused_on_a_ticket_and_a_reply(store: Store) -> None:
    big = "kata " * (limits.BODY_CHARS // 5) + "!"
    with pytest.raises(InvalidInput, match=names_the_limit(limits.BODY_CHARS)):
        await open_ticket(store, body=big)
    ticket = await open_ticket(store)
    agent = await store.create_agent("Sari", "sari@tokoku.example")
    with pytest.raises(InvalidInput, match=names_the_limit(limits.BODY_CHARS)):
        await reply(store, ticket.id, agent, big)
    with pytest.raises(InvalidInput, match=names_the_limit(limits.BODY_CHARS)):
        await store.add_message(
            ticket.id, NewMessage(client_id="c-1", body=big[:-2] + "xyz"), actor_id=agent.id
        )
    await reply(store, ticket.id, agent, big[: limits.BODY_CHARS])  # at the limit
    with pytest.raises(InvalidInput, match=names_the_limit(limits.BODY_CHARS)):
        await store.save_draft(Draft(agent.id, ticket.id, big))


async def test_tags_past_the_limit_are_refused_however_they_come(store: Store) -> None:
    many = [f"tag{n}" for n in range(limits.TAGS_PER_TICKET + 1)]
    with pytest.raises(InvalidInput, match=names_the_limit(limits.TAGS_PER_TICKET)):
        await open_ticket(store, tags=many)
    ticket = await open_ticket(store, tags=many[: limits.TAGS_PER_TICKET])
    assert len(ticket.tags) == limits.TAGS_PER_TICKET

    # One more, added later, is one too many for the ticket.
    with pytest.raises(InvalidInput, match=names_the_limit(limits.TAGS_PER_TICKET)):
        await store.update_ticket(
            ticket.id, TicketChanges(add_tags=("satu-lagi",)), expected_version=ticket.version, actor_id=None
        )
    with pytest.raises(InvalidInput, match=names_the_limit(limits.TAG_CHARS)):
        await open_ticket(store, tags=["t" * (limits.TAG_CHARS + 1)])


async def test_names_and_canned_responses_are_bounded(store: Store) -> None:
    with pytest.raises(InvalidInput, match=names_the_limit(limits.NAME_CHARS)):
        await store.create_agent("S" * (limits.NAME_CHARS + 1), "sari@tokoku.example")
    with pytest.raises(InvalidInput, match=names_the_limit(limits.NAME_CHARS)):
        await open_ticket(store, name="B" * (limits.NAME_CHARS + 1))
    with pytest.raises(InvalidInput, match=names_the_limit(limits.NAME_CHARS)):
        await store.save_canned(CannedResponse(None, "T" * (limits.NAME_CHARS + 1), "Halo"), actor_id=None)


async def test_an_imported_ticket_past_a_limit_is_one_bad_line_and_the_rest_go_in(store: Store) -> None:
    good = ticket_record("ok-1")
    long_subject = ticket_record("bad-2", subject="s" * (limits.SUBJECT_CHARS + 1))
    long_body = ticket_record(
        "bad-3", messages=(message_record("customer", "b" * (limits.BODY_CHARS + 1), at(-5)),)
    )
    too_many_tags = ticket_record("bad-4", tags=tuple(f"t{n}" for n in range(limits.TAGS_PER_TICKET + 1)))

    report = await import_records(store, [good, long_subject, long_body, too_many_tags])

    assert report.imported == 1
    assert [problem.line for problem in report.problems] == [2, 3, 4]
    assert all("the limit is" in problem.message for problem in report.problems), report.problems
    assert [ticket.subject for ticket in await all_tickets(store)] == ["Tiket ok-1"]
