"""Snooze from the screen: b offers a few times (arrows and enter) or takes one
typed in English or Indonesian, said back as it is typed; the ticket waits pending
until then; when it comes back open its assignee is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from cs_tui.domain.models import Agent, Status, Ticket, TicketChanges
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store
from cs_tui.tui.screens.snoozing import SnoozeScreen

from .helpers import AppFactory, main_screen, notices, open_by_number, screen_text, settled, shown, until

NOW = utcnow().replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(days=1)
"""Tomorrow 09:30 UTC: the store takes snoozes ahead of the real time, so these tests'
clock is ahead of it (their own, not the demo's fixed moment)."""


def clock() -> datetime:
    return NOW


async def a_ticket_of(store: Store, agent: Agent) -> Ticket:
    """An open ticket of the demo shop, assigned to `agent`."""
    page = await store.list_tickets(limit=200)
    ticket = next(t for t in page.tickets if t.status in (Status.NEW, Status.OPEN))
    return await store.update_ticket(
        ticket.id, TicketChanges(assignee_id=agent.id), expected_version=ticket.version, actor_id=None
    )


async def test_b_and_a_digit_snooze_the_ticket_until_that_time(
    make_app: AppFactory, store: Store, agent: Agent
) -> None:
    ticket = await a_ticket_of(store, agent)
    app = make_app(now=clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket.id)
        await pilot.press("b")
        await until(pilot, lambda: isinstance(app.screen, SnoozeScreen))
        assert "In 4 hours · today 13:30" in screen_text(app)
        await pilot.press("down", "enter")
        pane = main_screen(app).ticket_pane
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.snoozed_until is not None)
        stored = await store.get_ticket(ticket.id)
        assert stored.status is Status.PENDING
        assert stored.snoozed_until == NOW + timedelta(hours=4)
        assert "snoozed until today 13:30" in shown(pane.header)


async def test_a_time_typed_in_indonesian_is_said_back_and_a_wrong_one_says_what_to_type(
    make_app: AppFactory, store: Store, agent: Agent
) -> None:
    ticket = await a_ticket_of(store, agent)
    app = make_app(now=clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket.id)
        await pilot.press("b", *"kemarin")
        await until(pilot, lambda: "try" in screen_text(app) and "besok 14:00" in screen_text(app))
        await pilot.press("enter")  # refused: the dialog stays
        await settled(pilot)
        assert isinstance(app.screen, SnoozeScreen)
        await pilot.press(*["backspace"] * 7, *"besok 14:00")
        await until(pilot, lambda: "until tomorrow 14:00" in screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, SnoozeScreen))
        await settled(pilot)
        stored = await store.get_ticket(ticket.id)
        assert stored.snoozed_until == NOW.replace(hour=14, minute=0) + timedelta(days=1)


async def test_snooze_off_on_the_command_line_brings_it_back_open(
    make_app: AppFactory, store: Store, agent: Agent
) -> None:
    ticket = await a_ticket_of(store, agent)
    ticket = await store.update_ticket(
        ticket.id,
        TicketChanges(snoozed_until=NOW + timedelta(days=2)),
        expected_version=ticket.version,
        actor_id=None,
    )
    app = make_app(now=clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket.id)
        header = shown(main_screen(app).ticket_pane.header)
        later = NOW + timedelta(days=2)
        assert f"snoozed until {later.strftime('%a')} {later.day} {later.strftime('%b')} 09:30" in header
        await pilot.press("colon", *"snooze off", "enter")
        await until(pilot, lambda: "Snooze ended, open" in " ".join(notices(app)))
        stored = await store.get_ticket(ticket.id)
        assert stored.status is Status.OPEN
        assert stored.snoozed_until is None


async def test_the_assignee_is_told_when_a_snoozed_ticket_comes_back(
    make_app: AppFactory, store: Store, other_store: Store, agent: Agent
) -> None:
    mine = await a_ticket_of(store, agent)
    await store.update_ticket(
        mine.id,
        TicketChanges(snoozed_until=NOW + timedelta(hours=1)),
        expected_version=mine.version,
        actor_id=None,
    )
    app = make_app(now=clock)
    async with app.run_test(size=(160, 40), notifications=True) as pilot:
        await settled(pilot)
        woke = await other_store.wake_snoozed(NOW + timedelta(hours=2))  # another process, an hour later
        assert [t.id for t in woke] == [mine.id]
        await until(pilot, lambda: "Back from snooze" in " ".join(notices(app)))
        assert f"#{mine.id}" in " ".join(notices(app))
