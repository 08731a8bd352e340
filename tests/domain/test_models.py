"""The helpdesk's nouns: SLA deadlines, statuses, names and tags."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_tui.domain.models import (
    AuthorKind,
    Message,
    MessageKind,
    Priority,
    SlaPolicy,
    Status,
    first_name_of,
    is_email_address,
    normalize_tag,
)
from cs_tui.domain.timeutil import duration

from .factories import T0

HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("priority", "first_response", "resolution"),
    [
        (Priority.URGENT, 1 * HOUR, 8 * HOUR),
        (Priority.HIGH, 2 * HOUR, 24 * HOUR),
        (Priority.NORMAL, 8 * HOUR, 48 * HOUR),
        (Priority.LOW, 24 * HOUR, 5 * 24 * HOUR),
    ],
)
def test_default_sla_deadlines(priority: Priority, first_response: timedelta, resolution: timedelta) -> None:
    policy = SlaPolicy.default()
    unanswered = policy.due_at(priority=priority, status=Status.NEW, created_at=T0, first_response_at=None)
    answered = policy.due_at(
        priority=priority, status=Status.OPEN, created_at=T0, first_response_at=T0 + timedelta(minutes=5)
    )
    assert unanswered == T0 + first_response
    # Once answered, the deadline is resolution, still counted from creation.
    assert answered == T0 + resolution


@pytest.mark.parametrize("status", [Status.SOLVED, Status.CLOSED])
def test_solved_and_closed_tickets_have_no_deadline(status: Status) -> None:
    policy = SlaPolicy.default()
    assert (
        policy.due_at(priority=Priority.URGENT, status=status, created_at=T0, first_response_at=None) is None
    )


def test_active_statuses() -> None:
    assert [s for s in Status if s.is_active] == [Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD]
    assert not Status.SOLVED.is_active
    assert not Status.CLOSED.is_active


def test_priority_rank_sorts_by_importance() -> None:
    shuffled = [Priority.NORMAL, Priority.URGENT, Priority.LOW, Priority.HIGH]
    assert sorted(shuffled, key=lambda p: p.rank, reverse=True) == [
        Priority.URGENT,
        Priority.HIGH,
        Priority.NORMAL,
        Priority.LOW,
    ]


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("Budi Santoso", "Budi"),
        ("  Siti   Nurhaliza ", "Siti"),
        ("Ana", "Ana"),
        ("", ""),
        ("   ", ""),
        ("李 小龙", "李"),
    ],
)
def test_first_name_of(name: str, first: str) -> None:
    assert first_name_of(name) == first


@pytest.mark.parametrize(
    ("tag", "normal"),
    [
        ("refund", "refund"),
        ("Late Delivery", "late-delivery"),
        ("  VIP  ", "vip"),
        ("salah   kirim\tbarang", "salah-kirim-barang"),
        ("already-dashed", "already-dashed"),
        ("   ", ""),
    ],
)
def test_normalize_tag(tag: str, normal: str) -> None:
    assert normalize_tag(tag) == normal


@pytest.mark.parametrize(
    ("author_kind", "internal", "auto", "kind", "answers_customer"),
    [
        (AuthorKind.AGENT, False, False, MessageKind.REPLY, True),
        (AuthorKind.AGENT, True, False, MessageKind.NOTE, False),
        (AuthorKind.AGENT, False, True, MessageKind.REPLY, False),
        (AuthorKind.SYSTEM, False, False, MessageKind.SYSTEM, False),
        (AuthorKind.SYSTEM, False, True, MessageKind.SYSTEM, False),
        (AuthorKind.CUSTOMER, False, False, MessageKind.CUSTOMER, False),
    ],
)
def test_only_a_public_hand_written_agent_reply_is_a_first_response(
    author_kind: AuthorKind, internal: bool, auto: bool, kind: MessageKind, answers_customer: bool
) -> None:
    message = Message(
        id=1,
        client_id="c1",
        ticket_id=1042,
        author_kind=author_kind,
        author_name="Ana Putri",
        agent_id=1 if author_kind is AuthorKind.AGENT else None,
        body="Halo Budi, kami cek dulu ya.",
        internal=internal,
        auto=auto,
        created_at=T0,
    )
    assert message.kind is kind
    assert message.counts_as_first_response is answers_customer


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0s"),
        (45.7, "45s"),
        (60, "1m"),
        (59 * 60 + 59, "59m"),
        (3 * 3600 + 5 * 60, "3h05m"),
        (3 * 3600, "3h"),
        (14 * 3600 + 20 * 60, "14h"),
        (25 * 3600, "1d01h"),
        (47 * 3600 + 59 * 60, "1d23h"),
        (2 * 86400, "2d"),
        (12 * 86400 + 5 * 3600, "12d"),
        (-90 * 60, "-1h30m"),
    ],
)
def test_durations_read_at_a_glance(seconds: float, shown: str) -> None:
    assert duration(seconds) == shown
    assert duration(timedelta(seconds=seconds)) == shown


@pytest.mark.parametrize(
    "address",
    [
        "budi@example.com,rudi@example.com",
        "budi@example.com; rudi@example.com",
        "Budi <budi@example.com>",
        "<budi@example.com>",
        "budi@example.com\r\nBcc: rudi@example.com",
        '"budi"@example.com',
        "budi@@example.com",
        "budi@.example.com",
        "budi@example.com.",
    ],
)
def test_an_address_is_one_address_so_no_reply_can_go_to_a_second(address: str) -> None:
    assert not is_email_address(address)


@pytest.mark.parametrize(
    "address", ["budi.santoso+pesanan@toko-ku.co.id", "siti@contoh.example", "a@localhost"]
)
def test_an_address_as_shops_customers_have_them_is_one(address: str) -> None:
    assert is_email_address(address)
