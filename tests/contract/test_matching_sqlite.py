"""The live filter (cs_tui.domain.matching) answers as the SQLite store's search does:
for random tickets and random queries, the tickets one finds are the tickets the
other lists."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_tui.domain.matching import ticket_matches
from cs_tui.domain.models import AuthorKind, Channel, Priority, Status
from cs_tui.domain.query import QueryError, Word, has_letters, parse
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import open_store

WORDS = [
    "pesanan", "Paket", "refund", "sampai", "ongkir", "café", "CAFE", "résumé", "ABC123", "rusak",
    "kurir", "batal", "tukar", "ukuran", "warna", "transfer", "gagal", "promo", "voucher", "resi",
]  # fmt: skip
NAMES = ["Budi", "budi", "Siti", "Dewi", "Ketut", "Çelik", "Ünal"]
SEPARATORS = [" ", "-", ", ", "! ", "@", ".", "'"]
AGENTS = {
    "ana@toko.example": "Ana Wijaya",
    "rudi@toko.example": "Rudi Hartono",
    "celik@toko.example": "Çelik Ünal",
}
TAGS = ["refund", "vip", "spam", "late-delivery"]


@st.composite
def texts(draw: st.DrawFn, most: int = 3) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=most))
    text = words[0]
    for word in words[1:]:
        text += draw(st.sampled_from(SEPARATORS)) + word
    return text


@st.composite
def tickets(draw: st.DrawFn, number: int) -> TicketRecord:
    now = utcnow()
    # Whole hours and a half before now: no SLA deadline falls near the moment of the search.
    created_at = now - timedelta(hours=draw(st.integers(0, 60)), minutes=30)
    messages = [MessageRecord(AuthorKind.CUSTOMER, None, draw(texts()), created_at)]
    for minutes in range(draw(st.integers(0, 2))):
        internal = draw(st.booleans())
        body = draw(texts())
        at = created_at + timedelta(minutes=minutes + 1)
        messages.append(MessageRecord(AuthorKind.AGENT, "ana@toko.example", body, at, internal=internal))
    first, last = draw(st.sampled_from(NAMES)), draw(st.sampled_from(NAMES))
    status = draw(st.sampled_from(Status))
    snoozed = status is Status.PENDING and draw(st.booleans())
    return TicketRecord(
        ref=f"t{number}",
        subject=draw(texts()),
        status=status,
        priority=draw(st.sampled_from(Priority)),
        channel=draw(st.sampled_from(Channel)),
        customer_name=f"{first} {last}",
        customer_email=f"{first}.{number}@{last}.example".lower(),
        assignee_email=draw(st.sampled_from([None, *AGENTS])),
        tags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2, unique=True))),
        created_at=created_at,
        messages=tuple(messages),
        snoozed_until=now + timedelta(days=1) if snoozed else None,
    )


def values(draw: st.DrawFn, choices: list[str]) -> str:
    return ",".join(draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True)))


@st.composite
def terms(draw: st.DrawFn, emails: list[str]) -> str:
    negated = "-" if draw(st.integers(0, 3)) == 0 else ""
    kind = draw(
        st.sampled_from(
            [
                "status",
                "priority",
                "channel",
                "tag",
                "assignee",
                "customer",
                "breaching",
                "snoozed",
                "word",
                "word",
                "prefix",
                "phrase",
                "nothing",
            ]
        )
    )
    match kind:
        case "status" | "priority" | "channel":
            enum = {"status": Status, "priority": Priority, "channel": Channel}[kind]
            return f"{negated}{kind}:{values(draw, [e.value for e in enum])}"
        case "tag":
            return f"{negated}tag:{values(draw, [*TAGS, 'Late Delivery'.replace(' ', '-')])}"
        case "assignee":
            who = [
                "me",
                "none",
                "ana@toko.example",
                "RUDI@toko.example",
                '"rudi hartono"',
                '"çelik ünal"',
                "x@y",
            ]
            return f"{negated}assignee:{values(draw, who)}"
        case "customer":
            # Whole addresses (exact), and parts of names and addresses (anywhere, case aside).
            parts = ["budi", "DEWI", "çel", "ünal", "@siti", ".1@", '"i k"', "ample", '"i d"']
            return f"{negated}customer:{values(draw, [*emails, 'Budi.1@Budi.example', 'x@y', *parts])}"
        case "breaching":
            return f"{negated}breaching:{values(draw, ['yes', 'no'])}"
        case "snoozed":
            return f"{negated}snoozed:{values(draw, ['yes', 'no'])}"
        case "word":
            return negated + draw(st.sampled_from(WORDS + NAMES))
        case "prefix":
            word = draw(st.sampled_from(WORDS))
            return negated + word[: draw(st.integers(1, len(word)))]
        case "phrase":
            return f'{negated}"{draw(texts(most=2))}"'
    return negated + draw(st.sampled_from(["!!", "--", "@"]))  # no letter or digit: narrows nothing


def terms_of(text: str) -> list[Word]:
    """The terms of a generated query, a filter as a word with letters."""
    return [Word(term.strip('"-')) if ":" not in term else Word("filter") for term in text.split()]


@st.composite
def desks(draw: st.DrawFn) -> tuple[list[TicketRecord], list[str]]:
    records = [draw(tickets(number)) for number in range(draw(st.integers(1, 7)))]
    emails = [r.customer_email for r in records]
    queries = [" ".join(draw(st.lists(terms(emails), min_size=1, max_size=3))) for _ in range(4)]
    return records, queries


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(desks())
async def test_the_live_filter_finds_what_the_store_lists(desk: tuple[list[TicketRecord], list[str]]) -> None:
    records, queries = desk
    with tempfile.TemporaryDirectory() as place:
        store = await open_store(str(Path(place) / "cs-tui.db"))
        try:
            for email, name in AGENTS.items():
                await store.create_agent(name, email)
            report = await store.import_tickets(enumerate(records, 1))
            assert report.imported == len(records), report.problems
            ana = await store.find_agent("ana@toko.example")
            assert ana is not None
            stored = [await store.get_ticket(i) for i in range(1, len(records) + 1)]
            bodies = {t.id: [m.body for m in (await store.get_messages(t.id)).messages] for t in stored}
            for text in queries:
                if not any(map(has_letters, terms_of(text))):  # only words that narrow nothing
                    with pytest.raises(QueryError, match="nothing to search for"):
                        parse(text)
                    continue
                query = parse(text)
                listed = {
                    t.id for t in (await store.list_tickets(query, viewer_id=ana.id, limit=500)).tickets
                }
                now = utcnow()
                found = {
                    t.id
                    for t in stored
                    if ticket_matches(query, t, bodies=bodies[t.id], viewer_id=ana.id, now=now)
                }
                assert found == listed, text
        finally:
            await store.close()
