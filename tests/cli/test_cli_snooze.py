"""`cs-tui ticket snooze ID --until WHEN` and `--off`, as an agent in Jakarta types them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from cs_tui.domain.models import Status, TicketChanges
from cs_tui.domain.timeutil import parse_iso
from cs_tui.store import open_store

from .cli_runner import CsTui

JAKARTA = {"TZ": "Asia/Jakarta"}
WIB = timezone(timedelta(hours=7))


def new_ticket(cs_tui: CsTui) -> int:
    created = cs_tui(
        "ticket", "new", "--subject", "Resi belum ada", "--customer", "budi@example.com", "--body", "Halo"
    )
    assert created.code == 0, created.err
    return int(created.out)


def test_a_snooze_says_when_the_ticket_comes_back_and_show_and_list_say_it_too(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    before = datetime.now(UTC)
    snoozed = cs_tui("ticket", "snooze", str(ticket_id), "--until", "3d", **JAKARTA)
    after = datetime.now(UTC)
    assert snoozed.code == 0, snoozed.err
    assert snoozed.out.startswith(f"#{ticket_id} is snoozed until ")
    assert "+07:00); it comes back open then." in snoozed.out

    shown = cs_tui("ticket", "show", str(ticket_id), "--json").json()
    assert shown["status"] == "pending"
    until = parse_iso(shown["snoozed_until"])
    assert before + timedelta(days=3) <= until <= after + timedelta(days=3)

    human = cs_tui("ticket", "show", str(ticket_id), **JAKARTA)
    local = until.astimezone(WIB)
    assert f"snoozed until {local:%a} {local.day} {local:%b} {local:%H:%M}" in human.out
    listed = cs_tui("ticket", "list", "--query", "snoozed:yes", "--json").json()
    assert [(t["id"], t["snoozed_until"]) for t in listed] == [(ticket_id, shown["snoozed_until"])]
    assert cs_tui("ticket", "list", "--query", "snoozed:no", "--json").json() == []


def test_a_snooze_in_indonesian_words_is_read_in_local_time(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    days = {(datetime.now(WIB) + timedelta(days=1)).date()}
    snoozed = cs_tui("ticket", "snooze", str(ticket_id), "--until", "besok jam 14", "--json", **JAKARTA)
    days.add((datetime.now(WIB) + timedelta(days=1)).date())  # midnight may have passed meanwhile
    assert snoozed.code == 0, snoozed.err
    ticket = snoozed.json()
    assert ticket["status"] == "pending"
    assert parse_iso(ticket["snoozed_until"]) in {
        datetime(d.year, d.month, d.day, 14, 0, tzinfo=WIB) for d in days
    }


def test_off_brings_a_snoozed_ticket_back_open(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    assert cs_tui("ticket", "snooze", str(ticket_id), "--until", "tomorrow").code == 0
    woke = cs_tui("ticket", "snooze", f"#{ticket_id}", "--off")
    assert woke.code == 0, woke.err
    assert woke.out.strip() == f"#{ticket_id} is open again: its snooze is over."
    shown = cs_tui("ticket", "show", str(ticket_id), "--json").json()
    assert (shown["status"], shown["snoozed_until"]) == ("open", None)
    again = cs_tui("ticket", "snooze", str(ticket_id), "--off")
    assert (again.code, again.out.strip()) == (0, f"#{ticket_id} is not snoozed: nothing changed.")


def test_a_time_that_cannot_be_says_what_to_type(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    for typed, said in [
        ("kemarin", "cannot read 'kemarin' as a time"),
        ("2020-01-01", "'2020-01-01' has passed"),
        ("2h30", "cannot read '2h30' as a time"),
    ]:
        refused = cs_tui("ticket", "snooze", str(ticket_id), "--until", typed)
        assert refused.code == 2
        assert refused.err.startswith(f"cs-tui: {said}")
        assert 'try "2h", "tomorrow"' in refused.err
    assert cs_tui("ticket", "show", str(ticket_id), "--json").json()["status"] == "new"


async def close(store_path: Path, ticket_id: int) -> None:
    store = await open_store(str(store_path))
    try:
        ticket = await store.get_ticket(ticket_id)
        changes = TicketChanges(status=Status.CLOSED)
        await store.update_ticket(ticket_id, changes, expected_version=ticket.version, actor_id=None)
    finally:
        await store.close()


def test_a_closed_ticket_is_not_snoozed(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    asyncio.run(close(cs_tui.store, ticket_id))
    refused = cs_tui("ticket", "snooze", str(ticket_id), "--until", "2h")
    assert refused.code == 2
    assert "a closed ticket stays closed: it cannot be snoozed" in refused.err


def test_snooze_needs_until_or_off(cs_tui: CsTui) -> None:
    ticket_id = new_ticket(cs_tui)
    refused = cs_tui("ticket", "snooze", str(ticket_id))
    assert refused.code == 2
    assert "one of the arguments --until --off is required" in refused.err
