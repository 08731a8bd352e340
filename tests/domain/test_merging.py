"""The rules of merging two tickets and splitting one: what may be done, and what each
does to the tickets' status, first response, SLA, tags and Cc."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_tui.domain.merging import (
    cc_after_merge,
    check_merge,
    plan_merge,
    plan_split,
    renumbered,
    status_after_merge,
)
from cs_tui.domain.models import AuthorKind, Customer, Message, SlaPolicy, Status, Ticket
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.threads import Thread, subject_tag, thread_of

from .factories import ANA, BUDI, T0, ticket

SLA = SlaPolicy.default()
MINUTE = timedelta(minutes=1)
NOW = T0 + 600 * MINUTE
SITI = Customer(11, "Siti Rahayu", "siti@example.com", ("siti@example.com",))


def said(author: AuthorKind, minute: int, *, id: int, internal: bool = False, auto: bool = False) -> Message:
    """A message of the conversation, written `minute` minutes after T0."""
    return Message(
        id=id,
        client_id=f"m{id}",
        ticket_id=1,
        author_kind=author,
        author_name="",
        agent_id=ANA.id if author is AuthorKind.AGENT else None,
        body=f"pesan {id}",
        internal=internal,
        auto=auto,
        created_at=T0 + minute * MINUTE,
    )


CUSTOMER, AGENT, SYSTEM = AuthorKind.CUSTOMER, AuthorKind.AGENT, AuthorKind.SYSTEM


# What a merge does to the status


@pytest.mark.parametrize(
    ("into", "merged", "answered", "after"),
    [
        (Status.OPEN, Status.PENDING, True, Status.OPEN),
        (Status.NEW, Status.SOLVED, False, Status.NEW),
        (Status.NEW, Status.OPEN, True, Status.OPEN),  # answered on the other: open
        (Status.PENDING, Status.NEW, True, Status.OPEN),  # someone waits on the team again
        (Status.SOLVED, Status.NEW, False, Status.NEW),
        (Status.PENDING, Status.ON_HOLD, True, Status.PENDING),  # waits as it did
        (Status.ON_HOLD, Status.SOLVED, True, Status.ON_HOLD),
        (Status.SOLVED, Status.PENDING, True, Status.PENDING),  # not solved after all
        (Status.SOLVED, Status.SOLVED, True, Status.SOLVED),
    ],
)
def test_the_ticket_kept_waits_on_the_team_when_either_did(
    into: Status, merged: Status, answered: bool, after: Status
) -> None:
    assert status_after_merge(into, merged, answered=answered) is after


def test_a_reply_on_the_merged_ticket_is_the_first_response_when_it_came_after_the_other_opened() -> None:
    into = ticket(id=1, status=Status.NEW, created_at=T0 + 60 * MINUTE)
    merged = ticket(id=2, status=Status.OPEN, created_at=T0, first_response_at=T0 + 10 * MINUTE)
    early = [said(CUSTOMER, 0, id=5), said(AGENT, 10, id=6)]
    plan = plan_merge(SLA, merged, into, early, at=NOW)
    assert plan.into.first_response_at is None
    assert plan.into.status is Status.NEW
    assert plan.into.sla_due_at == into.sla_due_at

    later = [
        *early,
        said(AGENT, 90, id=7, internal=True),
        said(AGENT, 95, id=8, auto=True),
        said(AGENT, 120, id=9),
    ]
    plan = plan_merge(SLA, merged, into, later, at=NOW)
    assert plan.into.first_response_at == T0 + 120 * MINUTE
    assert plan.into.status is Status.OPEN
    assert plan.into.sla_due_at == into.created_at + SLA.targets[into.priority].resolution


def test_the_earlier_answer_of_the_two_is_the_first_response() -> None:
    into = ticket(id=1, created_at=T0, first_response_at=T0 + 90 * MINUTE)
    merged = ticket(id=2, created_at=T0 + 5 * MINUTE)
    plan = plan_merge(SLA, merged, into, [said(CUSTOMER, 5, id=3), said(AGENT, 30, id=4)], at=NOW)
    assert plan.into.first_response_at == T0 + 30 * MINUTE
    plan = plan_merge(SLA, merged, into, [said(CUSTOMER, 5, id=3), said(AGENT, 100, id=4)], at=NOW)
    assert plan.into.first_response_at == T0 + 90 * MINUTE


def test_the_merged_ticket_is_closed_without_a_deadline_and_a_solved_one_keeps_its_solved_time() -> None:
    into = ticket(id=1)
    plan = plan_merge(SLA, ticket(id=2, status=Status.NEW), into, [], at=NOW)
    assert (plan.merged.status, plan.merged.solved_at, plan.merged.sla_due_at) == (Status.CLOSED, NOW, None)
    solved = ticket(id=2, status=Status.SOLVED, solved_at=T0 + MINUTE)
    assert plan_merge(SLA, solved, into, [], at=NOW).merged.solved_at == T0 + MINUTE


def test_a_pending_ticket_that_takes_one_waiting_on_the_team_runs_its_sla_clock_again() -> None:
    pending = replace(
        ticket(id=1, status=Status.PENDING, first_response_at=T0 + MINUTE), sla_paused_since=T0 + 60 * MINUTE
    )
    plan = plan_merge(SLA, ticket(id=2, status=Status.NEW), pending, [], at=NOW)
    assert plan.into.status is Status.OPEN
    assert plan.into.sla_paused_since is None
    assert plan.into.sla_paused_for == NOW - (T0 + 60 * MINUTE)
    assert plan.into.sla_due_at == T0 + SLA.targets[pending.priority].resolution + plan.into.sla_paused_for


def test_tags_join_and_too_many_together_are_refused() -> None:
    into = replace(ticket(id=1), tags=("pengiriman", "vip"))
    merged = replace(ticket(id=2), tags=("refund", "vip"))
    plan = plan_merge(SLA, merged, into, [], at=NOW)
    assert (plan.tags, plan.added_tags) == (("pengiriman", "refund", "vip"), ("refund",))
    crowded = replace(merged, tags=tuple(f"t{n}" for n in range(49)))
    with pytest.raises(
        RuleBroken, match="51 tags together, and a ticket takes at most 50: take some off first"
    ):
        plan_merge(SLA, crowded, into, [], at=NOW)


def test_the_other_customer_and_the_other_cc_join_the_cc_once() -> None:
    into = replace(ticket(id=1, customer=BUDI), cc=("ani@example.com",))
    merged = replace(
        ticket(id=2, customer=SITI), cc=("ANI@example.com", "budi@example.com", "joko@example.com")
    )
    assert cc_after_merge(into, merged) == ("ani@example.com", "siti@example.com", "joko@example.com")
    same = replace(ticket(id=2, customer=BUDI), cc=("ani@example.com",))
    assert cc_after_merge(into, same) == ("ani@example.com",)


def merged_away(t: Ticket, into: int) -> Ticket:
    return replace(t, status=Status.CLOSED, merged_into=into)


@pytest.mark.parametrize(
    ("merged", "into", "words", "field"),
    [
        (ticket(id=1), ticket(id=1), "#1 cannot be merged into itself", "into"),
        (merged_away(ticket(id=2), 3), ticket(id=1), "#2 was merged into #3 already", ""),
        (
            ticket(id=2),
            merged_away(ticket(id=1), 3),
            "#1 was itself merged into #3: merge into #3 instead",
            "into",
        ),
        (ticket(id=2, status=Status.CLOSED), ticket(id=1), "#2 is closed and stays as it is", ""),
        (ticket(id=2), ticket(id=1, status=Status.CLOSED), "merge into a ticket that is not closed", "into"),
    ],
)
def test_a_merge_that_cannot_be_made_says_what_to_do(
    merged: Ticket, into: Ticket, words: str, field: str
) -> None:
    with pytest.raises(RuleBroken, match=words) as refused:
        check_merge(merged, into)
    assert refused.value.field == field


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 50)), unique_by=lambda m: m[0], max_size=12))
def test_renumbered_messages_put_the_conversation_in_time_order(messages: list[tuple[int, int]]) -> None:
    """Read by id after renumbering, the messages are in the order they were written,
    and no message that could keep its id loses it."""
    written = [(message_id, T0 + minute * MINUTE) for message_id, minute in messages]
    moved = renumbered(written)
    top = max((m for m, _ in messages), default=0)
    new_id = {old: top + place for place, old in enumerate(moved, 1)}
    by_id = sorted(written, key=lambda m: new_id.get(m[0], m[0]))
    assert [t for _, t in by_id] == sorted(t for _, t in written)
    kept = [m for m, _ in sorted(written, key=lambda m: (m[1], m[0])) if m not in new_id]
    assert kept == sorted(kept)
    assert len(moved) == len(set(moved))
    if moved:  # the first one out of order had to move: it came before an earlier id
        first = moved[0]
        assert any(m > first for m in kept)


def test_messages_written_live_keep_their_ids() -> None:
    assert renumbered([(1, T0), (2, T0 + MINUTE), (3, T0 + 2 * MINUTE)]) == ()
    assert renumbered([(1, T0), (5, T0 + MINUTE), (3, T0 + MINUTE)]) == ()  # the same minute: by id
    assert renumbered([(1, T0), (5, T0 + MINUTE), (3, T0 + 2 * MINUTE), (6, T0 + 3 * MINUTE)]) == (3, 6)


# Splitting

THREAD = [
    said(CUSTOMER, 0, id=1),
    said(AGENT, 10, id=2),
    said(CUSTOMER, 20, id=3),
    said(AGENT, 30, id=4),
    said(CUSTOMER, 40, id=5),
]


def test_a_split_ticket_opens_with_its_first_message_and_follows_its_messages() -> None:
    source = ticket(id=1, status=Status.OPEN, first_response_at=T0 + 10 * MINUTE)
    plan = plan_split(SLA, source, THREAD, 3, and_after=True, subject=None, at=NOW)
    assert [m.id for m in plan.moved] == [3, 4, 5]
    assert plan.subject == source.subject
    assert plan.split.created_at == T0 + 20 * MINUTE
    assert plan.split.first_response_at == T0 + 30 * MINUTE
    assert plan.split.status is Status.OPEN
    assert plan.split.sla_due_at == T0 + 20 * MINUTE + SLA.targets[source.priority].resolution
    assert (plan.ticket.status, plan.ticket.first_response_at) == (Status.OPEN, T0 + 10 * MINUTE)

    alone = plan_split(SLA, source, THREAD, 3, and_after=False, subject="  Refund\n belum masuk ", at=NOW)
    assert [m.id for m in alone.moved] == [3]
    assert alone.subject == "Refund belum masuk"
    assert (alone.split.status, alone.split.first_response_at) == (Status.NEW, None)
    assert alone.split.sla_due_at == T0 + 20 * MINUTE + SLA.targets[source.priority].first_response


def test_an_open_ticket_whose_only_answers_moved_is_new_again() -> None:
    thread = [said(CUSTOMER, 0, id=1), said(CUSTOMER, 20, id=3), said(AGENT, 30, id=4)]
    source = ticket(id=1, status=Status.OPEN, first_response_at=T0 + 30 * MINUTE)
    plan = plan_split(SLA, source, thread, 3, and_after=True, subject=None, at=NOW)
    assert (plan.ticket.status, plan.ticket.first_response_at) == (Status.NEW, None)
    assert plan.ticket.sla_due_at == T0 + SLA.targets[source.priority].first_response
    # One an agent set open without answering stays open.
    unanswered = ticket(id=1, status=Status.OPEN)
    plan = plan_split(SLA, unanswered, thread[:2], 3, and_after=False, subject=None, at=NOW)
    assert plan.ticket.status is Status.OPEN


@pytest.mark.parametrize(
    ("source", "message_id", "words", "field"),
    [
        (ticket(id=7), 1, "message 1 opens #7, so it stays there", "message_id"),
        (ticket(id=7), 2, "message 2 is an agent's: a ticket opens with the customer's words", "message_id"),
        (ticket(id=7), 99, "#7 has no message 99", "message_id"),
        (ticket(id=7, status=Status.CLOSED), 3, "#7 is closed", ""),
        (merged_away(ticket(id=7), 4), 3, "#7 was merged into #4, where its messages are: split #4", ""),
    ],
)
def test_a_split_that_cannot_be_made_says_what_to_do(
    source: Ticket, message_id: int, words: str, field: str
) -> None:
    with pytest.raises(RuleBroken, match=words) as refused:
        plan_split(SLA, source, THREAD, message_id, and_after=True, subject=None, at=NOW)
    assert refused.value.field == field


def test_a_split_never_opens_with_an_automatic_mail_or_a_system_note() -> None:
    thread = [said(CUSTOMER, 0, id=1), said(CUSTOMER, 5, id=2, auto=True), said(SYSTEM, 6, id=3)]
    for message_id, words in ((2, "is an automatic mail"), (3, "is the helpdesk's own note")):
        with pytest.raises(RuleBroken, match=words):
            plan_split(SLA, ticket(id=1), thread, message_id, and_after=False, subject=None, at=NOW)


def test_a_blank_subject_is_refused() -> None:
    with pytest.raises(RuleBroken, match="a ticket needs a subject") as refused:
        plan_split(SLA, ticket(id=1), THREAD, 3, and_after=False, subject=" \n", at=NOW)
    assert refused.value.field == "subject"


def test_a_mail_to_a_merged_ticket_joins_the_ticket_it_was_merged_into() -> None:
    tickets = {
        12: (Status.CLOSED, "Foto paket"),
        10: (Status.SOLVED, "Paket belum sampai"),
        7: (Status.OPEN, "x"),
    }
    leads = {12: 10}
    found = thread_of(
        in_reply_to=(),
        references=(),
        subject=f"Re: Foto paket {subject_tag(12)}",
        ticket_of_message=lambda _: None,
        ticket=tickets.get,
        merged_into=leads.get,
    )
    assert found == Thread(10, reopen=True)
    leads[10] = 7  # and on, when the one it went to was merged in its turn
    assert thread_of(
        in_reply_to=(),
        references=(),
        subject=f"Re: Foto paket {subject_tag(12)}",
        ticket_of_message=lambda _: None,
        ticket=tickets.get,
        merged_into=leads.get,
    ) == Thread(7)
