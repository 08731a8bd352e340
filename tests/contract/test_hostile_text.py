"""Hostile text through every door of the store: whatever a customer, an import
file or an agent's client sends, no record keeps a terminal escape sequence, a
control character or a bidirectional override in any text field."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from cs_tui.domain.models import CannedActions, CannedResponse, Status, TicketChanges
from cs_tui.store import Store

from .helpers import (
    all_messages,
    all_tickets,
    at,
    import_records,
    message_record,
    open_ticket,
    ticket_record,
)

TITLE = "\x1b]0;PWNED\x07"
CLIPBOARD = "\x1b]52;c;aGVsbG8=\x07"
HOSTILE = (
    TITLE,
    CLIPBOARD,
    "\x1b[2J\x1b[Hcleared",
    "\x9b31mred",
    "\u202eexe.pdf",
    "bell\x07",
    "nul\x00byte",
)
FORBIDDEN = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")


def texts(value: Any) -> Iterator[str]:
    """Every string inside a record, however deep."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from texts(getattr(value, item.name))
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(key)
            yield from texts(item)


def assert_clean(record: Any) -> None:
    dirty = [text for text in texts(record) if any(bad in text for bad in FORBIDDEN)]
    assert not dirty, f"escapes kept in {dirty!r}"


async def test_tags_of_a_new_ticket_are_cleaned(store: Store) -> None:
    ticket = await open_ticket(store, "Tag", tags=HOSTILE)

    assert_clean(await store.get_ticket(ticket.id))
    assert "pwned" not in " ".join(ticket.tags)
    assert "cleared" in ticket.tags


async def test_tags_added_to_a_ticket_are_cleaned(store: Store) -> None:
    ticket = await open_ticket(store, "Tag")

    changed = await store.update_ticket(
        ticket.id,
        TicketChanges(add_tags=HOSTILE, status=Status.OPEN),
        expected_version=ticket.version,
        actor_id=None,
    )

    assert_clean(changed)
    assert_clean(await store.get_ticket(ticket.id))


async def test_an_imported_ticket_keeps_no_escape_in_any_field(store: Store) -> None:
    hostile = "".join(HOSTILE)
    record = ticket_record(
        "probe-1",
        subject=f"Subjek {hostile}",
        customer=(f"Budi {hostile}", f"budi{TITLE}@example.com"),
        assignee=f"agen{CLIPBOARD}@tokoku.example",
        tags=HOSTILE,
        messages=(
            message_record("customer", f"Halo {hostile}", at(-60)),
            message_record(f"agent:agen{CLIPBOARD}@tokoku.example", f"Balas {hostile}", at(-30)),
        ),
    )

    report = await import_records(store, [record])

    assert report.imported == 1, report
    [ticket] = await all_tickets(store)
    assert_clean(ticket)
    assert_clean(await all_messages(store, ticket.id))
    assert_clean(await store.list_agents())


async def test_a_new_agent_keeps_no_escape(store: Store) -> None:
    agent = await store.create_agent(f"Sari {TITLE}Wulandari", f"sari{CLIPBOARD}@tokoku.example")

    assert_clean(agent)
    assert agent.name == "Sari Wulandari"
    assert_clean(await store.list_agents())


async def test_a_canned_response_keeps_no_escape_in_any_field(store: Store) -> None:
    hostile = "".join(HOSTILE)
    saved = await store.save_canned(
        CannedResponse(
            None,
            f"Penutup {hostile}",
            f"Terima kasih {hostile}",
            shortcut=f"tutup{TITLE}",
            tags=HOSTILE,
            language=f"id{CLIPBOARD}",
            actions=CannedActions(status=Status.SOLVED, add_tags=HOSTILE),
        ),
        actor_id=None,
    )

    assert_clean(saved)
    assert_clean(await store.list_canned())


@pytest.mark.parametrize("name", HOSTILE)
async def test_a_customer_name_is_cleaned(store: Store, name: str) -> None:
    ticket = await open_ticket(store, "Nama", name=f"Budi {name}")

    assert_clean(await store.get_ticket(ticket.id))
    assert_clean(await all_messages(store, ticket.id))
