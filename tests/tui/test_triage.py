"""Triage at power-user speed: sorting from the screen, opening a ticket by its
number, moving to the next and previous ticket of the view, and more, each as an
agent does it with the keys."""

from __future__ import annotations

from cs_tui.domain.query import Sort, parse
from cs_tui.store.base import Store
from cs_tui.tui.screens.pickers import ChoiceScreen
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, settled, until


async def test_the_queue_is_ordered_from_the_screen_and_its_title_says_how(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        pane = app.screen.query_one("#queue-pane")
        queue = app.screen.query_one(QueueTable)
        assert pane.border_title == "3 All open · by activity"
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("o")  # oldest first: its letter picks it
        await until(pilot, lambda: pane.border_title == "3 All open · oldest first")
        expected = await store.list_tickets(
            parse("status:new,open,pending,on_hold"), sort=Sort.OLDEST, limit=10
        )
        await until(pilot, lambda: [t.id for t in queue.rows[:10]] == [t.id for t in expected.tickets])
        await pilot.press("4")  # another view: its own order again
        await until(pilot, lambda: pane.border_title == "4 Urgent · by activity")
