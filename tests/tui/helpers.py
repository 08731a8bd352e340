"""What the TUI tests share besides fixtures: the fixed moment, the demo filler, ways
to read what the screen shows (through Textual's public API), and ways to wait for
what the agent would wait to see."""

from __future__ import annotations

import asyncio
import html
import inspect
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from rich.color import Color
from textual import events
from textual.app import App
from textual.geometry import Region
from textual.pilot import Pilot

from cs_tui.demo import DEMO_AGENTS, canned_responses, generate_tickets
from cs_tui.store import Store
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.screens.main import MainScreen
from cs_tui.tui.widgets.queue import QueueTable

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
TICKETS = 150
POLL_S = 0.02
"""How often a wait looks at the screen again."""
WAIT_S = 10.0
"""How long a test waits for what must come: generous, so only what never comes fails."""

AppFactory = Callable[..., HelpdeskApp]


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


def main_screen(app: App[Any]) -> MainScreen:
    """The screen the agent works in (under any picker or dialog on top of it)."""
    found = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
    assert found is not None, "the main screen is not there"
    return found


def shown(widget: object) -> str:
    """The plain text a Static (a label, a header) shows."""
    return str(getattr(widget, "content", ""))


_SVG_TEXT = re.compile(
    r'<text class="[^"]*" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+"'
    r' clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)
_CELL_WIDTH = 12.2
"""The width of a terminal cell in Textual's screenshots (Rich's SVG export)."""


def screen_text(app: App[Any]) -> str:
    """What the terminal shows, as plain text, read from the app's screenshot."""
    lines: dict[int, list[str]] = {}
    width = app.size.width
    for x, line, text in _SVG_TEXT.findall(app.export_screenshot()):
        cells = lines.setdefault(int(line), [" "] * width)
        column = round(float(x) / _CELL_WIDTH)
        for offset, char in enumerate(html.unescape(text).replace("\xa0", " ")):
            if column + offset < width:
                cells[column + offset] = char
    return "\n".join("".join(lines.get(i, [])).rstrip() for i in range(app.size.height))


def notices(app: App[Any]) -> list[str]:
    """The notices on the screen (title and message), as the agent reads them. The app
    must run with them shown: `run_test(notifications=True)`."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def backgrounds(app: App[Any], region: Region) -> set[Color | None]:
    """The background colours the screen shows in `region`."""
    screen = app.screen
    return {
        screen.get_style_at(x, y).bgcolor
        for y in range(region.y, region.bottom)
        for x in range(region.x, region.right)
    }


async def wait_until(
    pilot: Pilot[Any], condition: Callable[[], object | Awaitable[object]], seconds: float = WAIT_S
) -> bool:
    """Whether `condition()` came true within `seconds`, the app running meanwhile, as
    an agent waits for the screen to change. It may be async (a read of the store)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        met = condition()
        if inspect.isawaitable(met):
            met = await met
        if met:
            return True
        if asyncio.get_running_loop().time() > deadline:
            return False
        await pilot.pause(POLL_S)


async def until(
    pilot: Pilot[Any], condition: Callable[[], object | Awaitable[object]], seconds: float = WAIT_S
) -> None:
    """Wait for `condition()`, as wait_until; fail the test if it does not come."""
    assert await wait_until(pilot, condition, seconds), "what the test waited for did not happen"


WAITING_ON_THE_AGENT = frozenset({"events", "channels", "wake", "pick", "bulk", "send"})
"""Workers that may go on until the agent does something (a picker or a question
open, an undo window running) or, for the live event feed and the channels (mail in
and out), as long as the app runs."""


async def settled(pilot: Pilot[Any]) -> None:
    """Wait until the app has nothing left to do but wait for the agent: its store
    reads and writes done, and the messages they posted handled (which may start more)."""
    app = pilot.app
    async with asyncio.timeout(WAIT_S):
        await pilot.pause()
        while busy := [w for w in app.workers if not w.is_finished and w.group not in WAITING_ON_THE_AGENT]:
            await app.workers.wait_for_complete(busy)
            await pilot.pause()


async def paste(pilot: Pilot[Any], text: str) -> None:
    """Paste `text` where the focus is, as a terminal's bracketed paste brings it
    (a test that is not about typing need not type it key by key)."""
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def open_first(pilot: Pilot[Any], view: str = "3") -> int:
    """Open the first ticket of a view, once it shows; its id."""
    await pilot.press(view)
    await settled(pilot)
    ticket = pilot.app.screen.query_one(QueueTable).rows[0]
    await pilot.press("enter")
    await settled(pilot)
    assert main_screen(pilot.app).ticket_pane.ticket is not None
    return int(ticket.id)


async def open_by_number(pilot: Pilot[Any], ticket_id: int) -> None:
    """Open a ticket as the agent does by its number: `/`, `#1885`, enter."""
    await pilot.press("slash", *f"#{ticket_id}", "enter")
    pane = main_screen(pilot.app).ticket_pane
    await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == ticket_id)
    await settled(pilot)
