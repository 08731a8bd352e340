"""The demo shop looks like a real helpdesk: what a newcomer sees after `cs-tui demo`."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from cs_tui.demo import DEMO_AGENTS, canned_responses, generate_tickets
from cs_tui.domain.models import AuthorKind, Channel, Priority, Role, SlaPolicy, Status
from cs_tui.domain.records import TicketRecord, check, parse_line
from cs_tui.domain.templates import check as check_template

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def shop() -> list[TicketRecord]:
    return list(generate_tickets(3000, seed=1, now=NOW))


def first_response(record: TicketRecord) -> datetime | None:
    for message in record.messages:
        if message.author_kind is AuthorKind.AGENT and not message.internal and not message.auto:
            return message.created_at
    return None


def test_the_same_seed_gives_the_same_shop() -> None:
    first = [r.to_line() for r in generate_tickets(200, seed=7, now=NOW)]
    again = [r.to_line() for r in generate_tickets(200, seed=7, now=NOW)]
    other = [r.to_line() for r in generate_tickets(200, seed=8, now=NOW)]
    assert first == again
    assert first != other


def test_every_ticket_is_a_valid_import_line(shop: list[TicketRecord]) -> None:
    for record in shop:
        check(record)
        assert parse_line(record.to_line()) == record


def test_refs_are_numbered_and_unique(shop: list[TicketRecord]) -> None:
    refs = [r.ref for r in shop]
    assert refs[0] == "shop-000001"
    assert refs[-1] == "shop-003000"
    assert len(set(refs)) == len(refs)


def test_every_status_priority_and_channel_occurs(shop: list[TicketRecord]) -> None:
    assert {r.status for r in shop} == set(Status)
    assert {r.priority for r in shop} == set(Priority)
    assert {r.channel for r in shop} == set(Channel)


def test_timestamps_cover_the_last_30_days_in_order(shop: list[TicketRecord]) -> None:
    for record in shop:
        assert NOW - timedelta(days=30) <= record.created_at < NOW
        times = [m.created_at for m in record.messages]
        assert times == sorted(times)
        assert record.created_at <= times[0]
        assert times[-1] <= NOW
    created = [r.created_at for r in shop]
    assert created == sorted(created)  # ticket numbers grow with time
    days = {(NOW - r.created_at).days for r in shop}
    assert days == set(range(30))


def test_the_queue_is_worked_like_a_real_one(shop: list[TicketRecord]) -> None:
    statuses = Counter(r.status for r in shop)
    active = sum(n for status, n in statuses.items() if status.is_active)
    # Most of last month is done; a working queue remains.
    assert 0.02 * len(shop) < active < 0.2 * len(shop)
    old = [r for r in shop if NOW - r.created_at > timedelta(days=5)]
    assert sum(r.status is Status.CLOSED for r in old) > 0.5 * len(old)
    for record in shop:
        if record.status is Status.NEW:
            assert first_response(record) is None
        else:
            assert first_response(record) is not None
        if not record.status.is_active:
            assert record.solved_at is not None


def test_first_responses_are_realistic_with_a_few_sla_breaches(shop: list[TicketRecord]) -> None:
    policy = SlaPolicy.default()
    answered = [(r, first_response(r)) for r in shop]
    waits = {
        priority: sorted(
            (at - r.created_at).total_seconds() for r, at in answered if at and r.priority is priority
        )
        for priority in Priority
    }
    assert (
        waits[Priority.URGENT][len(waits[Priority.URGENT]) // 2]
        < waits[Priority.LOW][len(waits[Priority.LOW]) // 2]
    )
    breaches = sum(
        1 for r, at in answered if at and at - r.created_at > policy.targets[r.priority].first_response
    )
    assert 0.005 * len(shop) < breaches < 0.1 * len(shop)


def test_notes_auto_replies_and_ratings_occur(shop: list[TicketRecord]) -> None:
    messages = [m for r in shop for m in r.messages]
    assert any(m.internal for m in messages)
    assert any(m.auto and m.author_kind is AuthorKind.SYSTEM for m in messages)
    solved = [r for r in shop if not r.status.is_active]
    rated = [r for r in solved if r.csat]
    assert 0.2 * len(solved) < len(rated) < 0.4 * len(solved)
    assert {r.csat.rating for r in rated if r.csat} == {1, 2, 3, 4, 5}
    assert all(r.csat is None for r in shop if r.status.is_active)


def test_about_ten_messages_a_ticket_and_some_long_threads(shop: list[TicketRecord]) -> None:
    counts = [len(r.messages) for r in shop]
    assert 8 <= sum(counts) / len(counts) <= 12
    long_threads = [n for n in counts if n >= 50]
    assert len(long_threads) == len(shop) // 200
    assert max(counts) <= 80


def test_customers_write_in_indonesian_and_english(shop: list[TicketRecord]) -> None:
    openings = [r.messages[0].body for r in shop]
    indonesian = sum(("min" in body.split() or "saya" in body.split()) for body in openings)
    english = sum(("I" in body.split() or "my" in body.split()) for body in openings)
    assert indonesian > 0.4 * len(shop)
    assert english > 0.15 * len(shop)
    names = {r.customer_name for r in shop}
    assert any(name.startswith(("Budi ", "Siti ", "Dewi ")) for name in names)
    assert any(" " not in name for name in names)  # many Indonesians use one name
    assert any(name in ("Zoë Müller", "Michael O'Brien") for name in names)


def test_some_customers_come_back(shop: list[TicketRecord]) -> None:
    tickets_per_customer = Counter(r.customer_email for r in shop)
    assert max(tickets_per_customer.values()) >= 3
    assert len({r.customer_email.lower() for r in shop}) == len(tickets_per_customer)


def test_agent_replies_come_from_the_shops_agents(shop: list[TicketRecord]) -> None:
    emails = {a.email for a in DEMO_AGENTS}
    assert {r.assignee_email for r in shop} - {None} == emails
    for record in shop:
        for message in record.messages:
            if message.author_kind is AuthorKind.AGENT:
                assert message.agent_email in emails
    assert [a.role for a in DEMO_AGENTS].count(Role.ADMIN) == 1


def test_canned_responses_in_both_languages_pass_the_placeholder_check() -> None:
    canned = canned_responses()
    assert len(canned) >= 20
    assert Counter(c.language for c in canned) == {"id": len(canned) // 2, "en": len(canned) // 2}
    for response in canned:
        check_template(response.body)
    assert len({c.title.lower() for c in canned}) == len(canned)
    assert len({c.shortcut for c in canned}) == len(canned)
    greeting = next(c for c in canned if c.shortcut == "halo")
    assert greeting.body.startswith("Halo, {{customer.first_name}}! Terima kasih")
    assert any(not c.actions.is_empty for c in canned)


def test_a_conversation_does_not_repeat_itself(shop: list[TicketRecord]) -> None:
    for record in shop:
        if len(record.messages) < 50:
            said = [m.body for m in record.messages if m.author_kind is AuthorKind.CUSTOMER]
            assert len(said) == len(set(said)), record.ref
