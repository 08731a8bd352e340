"""What the TUI tests share besides fixtures: the fixed moment, the demo filler, and
ways to read what the screen shows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.app import App

from cs_tui.demo import DEMO_AGENTS, canned_responses, generate_tickets
from cs_tui.store import Store

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TICKETS = 150

AppFactory = Callable[..., App[None]]


def clock() -> datetime:
    return NOW


async def fill_demo(store: Store, tickets: int = TICKETS, *, seed: int = 7) -> None:
    """The demo shop's agents and canned responses (unless there), and `tickets` tickets."""
    for agent in DEMO_AGENTS:
        if await store.find_agent(agent.email) is None:
            await store.create_agent(agent.name, agent.email, agent.role)
    if not await store.list_canned():
        for canned in canned_responses():
            await store.save_canned(canned, actor_id=None)
    records = generate_tickets(tickets, seed=seed, now=NOW)
    await store.import_tickets(enumerate(records, start=1))


def shown(widget: object) -> str:
    """The plain text a Static (a label, a header) shows."""
    return str(getattr(widget, "content", ""))


def screen_text(app: App[None]) -> str:
    """What the terminal shows, as plain text."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


async def wait_until(pilot, condition, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    """Whether `condition()` came true within `seconds`, the app running meanwhile:
    for what the screen shows once a store read (which takes its own time) is done."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return bool(condition())
