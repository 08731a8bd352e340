"""Presence: other agents on a ticket show in its queue row and its header, and go
when they leave or their process stops saying it is there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_tui.demo import DEMO_AGENTS
from cs_tui.domain.models import Activity, Agent
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Store
from cs_tui.tui.screens.main import MainScreen
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, open_first, settled, shown, until, wait_until
from .test_queue import row_text


@pytest.fixture
async def rudi(other_store: Store) -> Agent:
    """Another agent of the team, working in a process of his own (other_store)."""
    found = await other_store.find_agent(DEMO_AGENTS[1].email)
    assert found is not None
    return found


async def test_another_agent_replying_shows_in_the_row_and_the_header(
    make_app: AppFactory, other_store: Store, rudi: Agent
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first, second = queue.rows[0], queue.rows[1]
        assert row_text(queue, first.id)[3] == " "

        # Rudi, in his own process, opens the first ticket and starts a reply.
        await other_store.set_presence("rudi-laptop", rudi.id, first.id, Activity.REPLYING)
        assert await wait_until(pilot, lambda: row_text(queue, first.id)[3] == "✎")
        assert row_text(queue, second.id)[3] == " "

        await pilot.press("enter")
        pane = main_screen(app).ticket_pane
        assert await wait_until(pilot, lambda: f"{rudi.name} is replying" in shown(pane.header))

        # He stops writing, then leaves the ticket.
        await other_store.set_presence("rudi-laptop", rudi.id, first.id, Activity.VIEWING)
        assert await wait_until(pilot, lambda: f"{rudi.name} is viewing" in shown(pane.header))
        assert row_text(queue, first.id)[3] == "◉"
        await other_store.set_presence("rudi-laptop", rudi.id, None)
        assert await wait_until(pilot, lambda: "is viewing" not in shown(pane.header))
        assert row_text(queue, first.id)[3] == " "


async def test_others_see_this_agent_open_a_ticket_and_write(
    make_app: AppFactory, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        ticket = app.screen.query_one(QueueTable).rows[0]
        me = app.services.agent

        async def where() -> set[tuple[int, str]]:
            found = await other_store.presence(utcnow() - timedelta(seconds=10))
            return {(p.ticket_id, p.activity.value) for p in found if p.agent.id == me.id}

        async def there(activity: str) -> bool:
            return await where() == {(ticket.id, activity)}

        await pilot.press("enter")
        await until(pilot, lambda: there("viewing"))
        await pilot.press("r")
        await until(pilot, lambda: there("replying"))
        await app.action_quit()
    assert await where() == set()


@pytest.fixture
def quick_presence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(MainScreen, "presence_every", 0.2)
    monkeypatch.setattr(MainScreen, "presence_ttl", timedelta(seconds=1))


async def test_an_agent_whose_process_died_drops_out(
    make_app: AppFactory, other_store: Store, rudi: Agent, quick_presence: None
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first = queue.rows[0]
        # Rudi's process says where it is once, then is killed: no leaving, no renewals.
        await other_store.set_presence("rudi-killed", rudi.id, first.id)
        assert await wait_until(pilot, lambda: row_text(queue, first.id)[3] == "◉")
        assert await wait_until(pilot, lambda: row_text(queue, first.id)[3] == " ", seconds=3)


async def test_another_agent_coming_to_the_ticket_does_not_reload_it(
    make_app: AppFactory, other_store: Store, rudi: Agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Presence names a ticket, but nothing on it changed: with a team moving about all
    day, re-reading the open ticket at each of their moves is wasted."""
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        ticket_id = await open_first(pilot)
        pane = main_screen(app).ticket_pane
        assert await wait_until(pilot, lambda: f"#{ticket_id}" in shown(pane.header))
        reads: list[int] = []
        get_ticket = app.services.store.get_ticket

        async def counted(ticket_id: int) -> object:
            reads.append(ticket_id)
            return await get_ticket(ticket_id)

        monkeypatch.setattr(app.services.store, "get_ticket", counted)
        await other_store.set_presence("rudi-laptop", rudi.id, ticket_id)
        assert await wait_until(pilot, lambda: f"{rudi.name} is viewing" in shown(pane.header))
        await settled(pilot)
        assert reads == []
