"""The rules of writes: what a new ticket, a message and a change may be, and what a
message or a change does to a ticket's status and clocks."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cs_tui.domain.models import (
    AuthorKind,
    Channel,
    Csat,
    NewMessage,
    NewTicket,
    Priority,
    SlaPolicy,
    Status,
    TicketChanges,
)
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.domain.rules import (
    Progress,
    RuleBroken,
    after_change,
    after_message,
    checked_changes,
    checked_message,
    checked_rating,
    checked_ticket,
    imported,
    solved_at_after,
    status_after_message,
)

from .factories import T0

SLA = SlaPolicy.default()
HOUR = timedelta(hours=1)
NOW = T0 + 3 * HOUR


def new_ticket(**fields: object) -> NewTicket:
    values: dict[str, object] = {
        "subject": "Pesanan belum sampai",
        "customer_email": "budi@example.com",
        "body": "Halo, pesanan saya belum sampai.",
    }
    return NewTicket(**(values | fields))  # type: ignore[arg-type]


def message(kind: AuthorKind = AuthorKind.AGENT, *, internal: bool = False, auto: bool = False) -> NewMessage:
    return NewMessage("m-1", "Baik, kami cek dulu ya.", kind, internal=internal, auto=auto)


def fresh(status: Status = Status.NEW, *, answered: datetime | None = None) -> Progress:
    return Progress(status, Priority.NORMAL, T0, answered, None, None)


def test_a_new_ticket_is_cleaned_of_what_a_terminal_would_act_on() -> None:
    checked = checked_ticket(
        new_ticket(
            subject="  Paket \x1b]0;pwned\x07rusak\n lagi ",
            customer_email=" Budi@Example.COM ",
            customer_name="Budi\x1b[31m Santoso",
            tags=("Late Delivery", "", "late-delivery", "VIP"),
        )
    )
    assert checked.subject == "Paket rusak lagi"
    assert checked.customer_email == "budi@example.com"
    assert checked.customer_name == "Budi Santoso"
    assert checked.tags == ("late-delivery", "vip")


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"subject": " \x1b[2J "}, "subject", "needs a subject"),
        ({"customer_email": "budi at example"}, "customer_email", "not an email address"),
        ({"body": "\x07 \n"}, "body", "needs a first message"),
    ],
)
def test_a_ticket_that_cannot_be_opened_is_refused_in_the_helpdesks_words(
    fields: dict[str, object], field: str, words: str
) -> None:
    with pytest.raises(RuleBroken, match=words) as refused:
        checked_ticket(new_ticket(**fields))
    assert refused.value.field == field
    assert "--" not in str(refused.value)  # the CLI adds its own hints


def test_a_message_needs_words_a_client_id_and_for_an_agent_the_agent() -> None:
    assert checked_message(NewMessage("m", "ok\x1b[0m"), actor_id=1).body == "ok"
    with pytest.raises(RuleBroken, match="empty") as refused:
        checked_message(NewMessage("m", " \t\n"), actor_id=1)
    assert refused.value.field == "body"
    with pytest.raises(RuleBroken, match="client id"):
        checked_message(NewMessage("", "Halo"), actor_id=1)
    with pytest.raises(RuleBroken, match="agent who writes it") as refused:
        checked_message(NewMessage("m", "Halo"), actor_id=None)
    assert refused.value.field == "agent"
    customer = NewMessage("m", "Halo", AuthorKind.CUSTOMER)
    assert checked_message(customer, actor_id=None) == customer


def test_a_change_keeps_one_line_subjects_and_normal_tags() -> None:
    changes = checked_changes(
        TicketChanges(subject=" Refund\n ditolak ", add_tags=("VIP", " "), remove_tags=("vip", "Spam"))
    )
    assert changes.subject == "Refund ditolak"
    assert changes.add_tags == ("vip",)
    assert changes.remove_tags == ("spam",)  # a tag both added and removed is added
    with pytest.raises(RuleBroken, match="needs a subject"):
        checked_changes(TicketChanges(subject="\x1b[K"))
    assert checked_changes(TicketChanges(add_tags=("",))).is_empty


def test_a_rating_is_one_to_five_and_its_comment_is_cleaned() -> None:
    assert checked_rating(Csat(5, NOW, "Mantap\x1b]0;x\x07!")).comment == "Mantap!"
    for rating in (0, 6, -1):
        with pytest.raises(RuleBroken, match="1 to 5"):
            checked_rating(Csat(rating, NOW))


@pytest.mark.parametrize(
    ("status", "new", "expected"),
    [
        (Status.PENDING, message(AuthorKind.CUSTOMER), Status.OPEN),  # the customer answered
        (Status.SOLVED, message(AuthorKind.CUSTOMER), Status.OPEN),  # and it is not solved after all
        (Status.CLOSED, message(AuthorKind.CUSTOMER), Status.CLOSED),
        (Status.ON_HOLD, message(AuthorKind.CUSTOMER), Status.ON_HOLD),
        (Status.NEW, message(), Status.OPEN),  # the first reply
        (Status.NEW, message(internal=True), Status.NEW),  # a note answers nobody
        (Status.NEW, message(auto=True), Status.NEW),  # nor does an automatic reply
        (Status.NEW, message(AuthorKind.SYSTEM), Status.NEW),
        (Status.PENDING, message(), Status.PENDING),
    ],
)
def test_the_status_a_ticket_takes_after_a_message(status: Status, new: NewMessage, expected: Status) -> None:
    assert status_after_message(status, new) is expected


def test_only_the_first_public_hand_written_reply_is_the_first_response() -> None:
    noted = after_message(SLA, fresh(), message(internal=True), T0 + HOUR)
    assert noted.first_response_at is None
    assert noted.sla_due_at == T0 + SLA.targets[Priority.NORMAL].first_response
    answered = after_message(SLA, noted, message(), NOW)
    assert (answered.status, answered.first_response_at) == (Status.OPEN, NOW)
    assert answered.sla_due_at == T0 + SLA.targets[Priority.NORMAL].resolution  # now the resolution target
    again = after_message(SLA, answered, message(), NOW + HOUR)
    assert again.first_response_at == NOW


def test_a_customer_reopening_a_solved_ticket_clears_its_solved_time() -> None:
    solved = after_change(
        SLA, fresh(Status.OPEN, answered=T0 + HOUR), status=Status.SOLVED, at=NOW, priority=Priority.NORMAL
    )
    assert (solved.solved_at, solved.sla_due_at) == (NOW, None)
    reopened = after_message(SLA, solved, message(AuthorKind.CUSTOMER), NOW + HOUR)
    assert (reopened.status, reopened.solved_at) == (Status.OPEN, None)
    assert reopened.sla_due_at is not None


def test_a_change_of_priority_moves_the_deadline() -> None:
    urgent = after_change(SLA, fresh(), status=Status.NEW, priority=Priority.URGENT, at=NOW)
    assert urgent.sla_due_at == T0 + SLA.targets[Priority.URGENT].first_response


@pytest.mark.parametrize(
    ("status", "solved_at", "expected"),
    [
        (Status.SOLVED, None, NOW),  # solved now
        (Status.CLOSED, None, NOW),  # closed straight away
        (Status.CLOSED, T0, T0),  # solved earlier, closed now: keeps the solved time
        (Status.SOLVED, T0, T0),
        (Status.OPEN, T0, None),  # reopened
        (Status.PENDING, None, None),
    ],
)
def test_solved_at_after_a_status_change(
    status: Status, solved_at: datetime | None, expected: datetime | None
) -> None:
    assert solved_at_after(status, solved_at, NOW) == expected


def record(status: Status, *messages: MessageRecord, solved_at: datetime | None = None) -> TicketRecord:
    return TicketRecord(
        ref="shop-1",
        subject="Pesanan belum sampai",
        status=status,
        priority=Priority.HIGH,
        channel=Channel.EMAIL,
        customer_name="Budi",
        customer_email="budi@example.com",
        assignee_email=None,
        tags=(),
        created_at=T0,
        messages=messages,
        solved_at=solved_at,
    )


def said(kind: AuthorKind, at: datetime, *, internal: bool = False, auto: bool = False) -> MessageRecord:
    email = "ana@tokoku.example" if kind is AuthorKind.AGENT else None
    return MessageRecord(kind, email, "…", at, internal=internal, auto=auto)


def test_an_imported_ticket_is_read_from_its_messages() -> None:
    state, updated_at = imported(
        SLA,
        record(
            Status.SOLVED,
            said(AuthorKind.CUSTOMER, T0),
            said(AuthorKind.AGENT, T0 + HOUR, auto=True),
            said(AuthorKind.AGENT, T0 + 2 * HOUR, internal=True),
            said(AuthorKind.AGENT, T0 + 3 * HOUR),
            said(AuthorKind.CUSTOMER, T0 + 4 * HOUR),
        ),
    )
    assert state.first_response_at == T0 + 3 * HOUR
    assert state.solved_at == T0 + 4 * HOUR  # solved at its last message, as it gave no time
    assert updated_at == T0 + 4 * HOUR
    assert state.sla_due_at is None
    waiting, _ = imported(SLA, record(Status.OPEN, said(AuthorKind.CUSTOMER, T0)))
    assert (waiting.first_response_at, waiting.solved_at) == (None, None)
    assert waiting.sla_due_at == T0 + SLA.targets[Priority.HIGH].first_response
