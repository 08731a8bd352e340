"""The queue: pages on demand, views, live search, bulk changes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.color import Color
from textual.geometry import Region

from cs_tui.config import ACTIVE, Config
from cs_tui.domain.models import Agent, AuthorKind, NewMessage, NewTicket, Status, TicketPage
from cs_tui.domain.query import Query, Sort, parse
from cs_tui.store import open_store
from cs_tui.store.base import Store
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.format import sla_left
from cs_tui.tui.screens.pickers import AskScreen, ChoiceScreen
from cs_tui.tui.widgets.queue import PAGE, QueueTable
from cs_tui.tui.widgets.queue_columns import UNSPACED, QueueHeader, header_text, layout_columns
from tests.contract.helpers import ticket_record

from .helpers import (
    NOW,
    AppFactory,
    backgrounds,
    clock,
    main_screen,
    notices,
    screen_text,
    settled,
    shown,
    until,
    wait_until,
)


async def test_the_queue_opens_on_the_first_view_with_its_count(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        mine = parse("assignee:me status:new,open,pending,on_hold")
        expected = await store.list_tickets(mine, viewer_id=app.services.agent.id, sort=Sort.SLA, limit=PAGE)
        assert [t.id for t in queue.rows] == [t.id for t in expected.tickets]
        pane = app.screen.query_one("#queue-pane")
        assert pane.border_title == "1 Mine · by SLA"  # the view, and its order
        assert str(pane.border_subtitle).endswith(f"of {expected.total:,}")


async def test_moving_and_opening_a_ticket(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        second = queue.rows[1]
        await pilot.press("j", "enter")
        await settled(pilot)
        pane = main_screen(app).ticket_pane
        assert pane.ticket is not None
        assert pane.ticket.id == second.id
        assert f"#{second.id}" in shown(pane.header)
        await pilot.press("escape", "k")
        assert queue.cursor_row == 0


async def test_views_switch_on_number_keys(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("6")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        assert queue.rows
        assert all(t.status is Status.PENDING for t in queue.rows)
        assert queue.total == await store.count_tickets(parse("status:pending"))
        assert app.screen.query_one("#queue-pane").border_title == "6 Pending · by activity"


async def test_search_filters_live_and_shows_a_bad_query_inline(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3", "slash")
        await pilot.press(*"priority:urgent")
        queue = app.screen.query_one(QueueTable)
        urgent = await store.count_tickets(parse(f"{ACTIVE} priority:urgent"))
        await wait_until(pilot, lambda: queue.total == urgent)
        assert queue.total == urgent
        assert all(t.priority.value == "urgent" and t.status.is_active for t in queue.rows)
        await pilot.press(*" status:nope")
        error = app.screen.query_one("#search-error")
        await wait_until(pilot, lambda: error.display)
        assert error.display
        assert "nope" in shown(error)
        assert queue.total == urgent
        # The caret stands under what is wrong, as the agent reads the two lines.
        lines = screen_text(app).splitlines()
        typed = next(i for i, line in enumerate(lines) if "priority:urgent status:nope" in line)
        caret = lines[typed + 1].index("^")
        assert lines[typed][caret:].startswith("nope")


async def test_a_search_narrows_the_view_it_is_typed_in_and_escape_clears_it(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        pane = app.screen.query_one("#queue-pane")
        all_open = queue.total
        await pilot.press("slash", *"refund")
        narrowed = await store.count_tickets(parse(f"{ACTIVE} refund"))
        await until(pilot, lambda: queue.total == narrowed)
        assert all(t.status.is_active for t in queue.rows)  # no solved or closed ticket
        await pilot.press("enter")  # to the queue: the title says the search
        await until(pilot, lambda: pane.border_title == "3 All open · refund · by activity")

        await pilot.press("7")  # another view: the search goes with it, and says so
        solved = await store.count_tickets(parse("status:solved refund"))
        await until(pilot, lambda: pane.border_title == "7 Recently solved · refund · by activity")
        await until(pilot, lambda: queue.total == solved)
        assert all(t.status is Status.SOLVED for t in queue.rows)

        await pilot.press("3", "slash", *["backspace"] * 6)  # emptied: the view as it is
        await until(
            pilot, lambda: pane.border_title == "3 All open · by activity" and queue.total == all_open
        )
        await pilot.press(*"refund", "enter")
        await until(pilot, lambda: pane.border_title == "3 All open · refund · by activity")
        await pilot.press("escape")
        await until(
            pilot, lambda: pane.border_title == "3 All open · by activity" and queue.total == all_open
        )
        assert not app.screen.query_one("#search").display


async def test_more_rows_load_as_the_cursor_nears_the_end(make_app: AppFactory, store: Store) -> None:
    for n in range(PAGE + 50):
        await store.create_ticket(NewTicket(f"Pesanan {n}", f"c{n}@example.com", "Halo"), actor_id=None)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        assert len(queue.rows) == PAGE
        for _ in range(4):
            await pilot.press("pagedown", "pagedown", "pagedown")
            await settled(pilot)
        assert len(queue.rows) > PAGE
        ids = [t.id for t in queue.rows]
        assert len(ids) == len(set(ids))


async def test_bulk_status_change_applies_to_every_marked_ticket(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        marked = [t.id for t in queue.rows[:3]]
        await pilot.press("x", "x", "x", "s")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("s")  # "solved" in the picker
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        assert "3 tickets" in shown(app.screen.query_one("Label"))
        await pilot.press("enter")
        await until(pilot, lambda: any("3 tickets changed" in n for n in notices(app)))
        for ticket_id in marked:
            assert (await store.get_ticket(ticket_id)).status is Status.SOLVED
        assert not queue.marked


def row_backgrounds(app: HelpdeskApp, row: int) -> set[object]:
    """The backgrounds the queue's row (an index among the loaded rows) is drawn
    with on the screen."""
    queue = main_screen(app).query_one(QueueTable)
    y = queue.region.y + row - int(queue.scroll_y)
    # The last column is the scrollbar's.
    return set(backgrounds(app, Region(queue.region.x, y, queue.region.width - 1, 1)))


async def test_the_cursor_row_is_one_bar_of_its_own_colour(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3", "j")
        await settled(pilot)
        cursor = row_backgrounds(app, 1)
        assert len(cursor) == 1, "every cell of the cursor row has the cursor's background"
        assert cursor.isdisjoint(row_backgrounds(app, 0) | row_backgrounds(app, 2))


def cursor_background(app: HelpdeskApp) -> object:
    """The one background the cursor row is drawn with on the screen."""
    [background] = row_backgrounds(app, app.screen.query_one(QueueTable).cursor_row)
    return background


async def test_the_cursor_bar_dims_while_the_focus_is_in_the_ticket(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3", "j")
        await settled(pilot)
        focused = cursor_background(app)
        assert focused == Color.parse(app.theme_variables["block-cursor-background"]).rich_color
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: cursor_background(app) != focused)
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: cursor_background(app) == focused)
        await pilot.press("slash")  # the focus to the search line, nothing else changed
        assert await wait_until(pilot, lambda: cursor_background(app) != focused)


def row_text(queue: QueueTable, ticket_id: int) -> str:
    row = next(i for i, t in enumerate(queue.rows) if t.id == ticket_id)
    return queue.render_line(row - int(queue.scroll_y)).text


async def test_a_seven_digit_ticket_number_is_shown_whole_under_its_title(
    make_app: AppFactory, store: Store
) -> None:
    """A store past a million tickets numbers them with seven digits: the number's
    column widens for them, and the titles above move with it."""
    big = replace(ticket_record("besar", subject="Nomor tiket besar", created_at=NOW), id=1_234_567)
    await store.import_tickets([(1, big)])
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        await pilot.press("slash", *"besar", "enter")
        await until(pilot, lambda: [t.id for t in queue.rows] == [1_234_567])
        await settled(pilot)
        row = row_text(queue, 1_234_567)
        header = shown(app.screen.query_one(QueueHeader))
    assert "#1234567 Nomor tiket besar" in row
    # The titles stand over their columns: "#" over the number's last digit.
    assert header.index("#") == row.index("#1234567") + len("#1234567") - 1
    assert header.index("subject") == row.index("Nomor")


async def test_unread_tickets_are_marked_until_opened_and_again_when_the_customer_writes(
    make_app: AppFactory, store: Store, other_store: Store, agent: Agent
) -> None:
    # One of the first tickets read to its end, as an agent who read it yesterday.
    seen = (await store.list_tickets(parse(ACTIVE), viewer_id=agent.id, limit=3)).tickets[2]
    await store.mark_read(agent.id, seen.id, (await store.get_messages(seen.id, limit=1)).messages[-1].id)
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        me = app.services.agent.id
        top = [t.id for t in queue.rows[:40]]
        assert queue.unread & set(top) == await store.unread_tickets(me, top)
        first, second = [t for t in top if t in queue.unread][:2]
        read = next(t for t in top if t not in queue.unread)
        assert row_text(queue, first).startswith("•")
        assert not row_text(queue, read).startswith("•")

        queue.cursor_row = top.index(first)
        await pilot.press("enter")
        await settled(pilot)
        assert not row_text(queue, first).startswith("•")
        assert await store.unread_tickets(me, [first]) == set()

        await pilot.press("escape")
        queue.cursor_row = [t.id for t in queue.rows].index(second)
        await pilot.press("enter")
        await settled(pilot)
        await other_store.add_message(
            first, NewMessage("cust-again", "Halo? Sudah dicek?", AuthorKind.CUSTOMER), actor_id=None
        )
        await until(pilot, lambda: row_text(queue, first).startswith("•"))


def test_columns_fit_the_width_and_fold_at_80() -> None:
    for width in (60, 80, 120, 200):
        columns = layout_columns(width)
        used = sum(c.width for c in columns) + len(columns) - len(UNSPACED)
        assert used <= width
        assert any(c.key == "subject" and c.width >= 8 for c in columns)
    assert "customer" in [c.key for c in layout_columns(120)]
    assert "assignee" not in [c.key for c in layout_columns(80)]
    assert header_text(200).startswith("   ")


async def test_an_empty_store_opens_with_an_empty_queue(tmp_path: Path, agent: Agent) -> None:
    empty = await open_store(str(tmp_path / "empty.db"))
    me = await empty.ensure_agent(agent.name, agent.email)
    try:
        app = HelpdeskApp(empty, me, Config(), clock=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            assert app.screen.query_one("#queue-pane").border_subtitle == "0 of 0"
    finally:
        await empty.close()


async def test_a_new_ticket_shows_at_the_top_of_a_full_queue_seen_from_its_top(
    make_app: AppFactory, other_store: Store
) -> None:
    for number in range(30):
        question = NewTicket(f"Pertanyaan {number}", f"p{number}@example.com", "Apakah ready?")
        await other_store.create_ticket(question, actor_id=None)
    app = make_app()
    async with app.run_test(size=(120, 20), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")  # all open: more than the screen holds, newest first
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        assert len(queue.rows) > queue.size.height
        highlighted = queue.current
        new = NewTicket("Paket tertahan di Medan", "rina@example.com", "Halo, paket saya tertahan.")
        ticket = await other_store.create_ticket(new, actor_id=None)
        await until(pilot, lambda: queue.rows[0].id == ticket.id)
        assert f"#{ticket.id} Paket tertahan" in queue.render_line(0).text  # in sight, not above it
        assert queue.current == highlighted  # the cursor stays on the ticket it was on
        await pilot.press(*"j" * (queue.size.height + 3))
        assert queue.scroll_y > 0
        on_line = queue.cursor_row - int(queue.scroll_y)
        highlighted = queue.current
        await other_store.create_ticket(replace(new, subject="Salah ukuran"), actor_id=None)
        await until(pilot, lambda: queue.rows[0].subject == "Salah ukuran")
        # Scrolled down, the agent's ticket keeps its line: nothing moves under the cursor.
        assert queue.current == highlighted
        assert queue.cursor_row - int(queue.scroll_y) == on_line


async def test_at_80_columns_with_the_sidebar_on_the_sla_is_never_cut_and_a_waiting_ticket_says_paused(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("m", "3")  # the sidebar on, beside the queue
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        assert main_screen(app).query_one("#sidebar").display
        assert shown(app.screen.query_one(QueueHeader)).rstrip().endswith("SLA")
        now = app.services.clock()
        for ticket in queue.rows[: queue.size.height]:
            assert row_text(queue, ticket.id).rstrip().endswith(sla_left(ticket, now).strip() or "")
        waiting = next(t for t in queue.rows if t.status in (Status.PENDING, Status.ON_HOLD))
        assert row_text(queue, waiting.id).rstrip().endswith("paused")


def slow_searches(
    store: Store, monkeypatch: pytest.MonkeyPatch, slow: Callable[[Query], bool]
) -> asyncio.Event:
    """The store's queries that `slow` picks answer only once the event returned is set."""
    listed, answer = store.list_tickets, asyncio.Event()

    async def slowly(query: Query | None, **options: Any) -> TicketPage:
        if query is not None and slow(query):
            await answer.wait()
        return await listed(query, **options)

    monkeypatch.setattr(store, "list_tickets", slowly)
    return answer


async def test_while_a_slow_search_runs_its_title_says_searching_over_the_last_rows_muted(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search of a million tickets can take seconds: meanwhile the rows under its
    name are the last view's, and must not read as its answer."""
    answer = slow_searches(store, monkeypatch, lambda query: any(w.text == "pesanan" for w in query.words))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        pane = app.screen.query_one("#queue-pane")
        queue = app.screen.query_one(QueueTable)
        last_view = queue.rows[0]
        await pilot.press("slash", *"pesanan", "enter")
        await until(pilot, lambda: str(pane.border_subtitle) == "searching…")
        muted = queue.get_component_rich_style("queue--muted").color
        drawn = [s for s in queue.render_line(1) if s.text.strip()]
        assert queue.rows[0] == last_view
        assert drawn
        assert all(s.style is not None and s.style.color == muted for s in drawn)
        answer.set()
        await until(pilot, lambda: "searching" not in str(pane.border_subtitle))
        await settled(pilot)
        assert str(pane.border_subtitle).endswith(f"of {queue.total:,}")
        assert queue.total == await store.count_tickets(parse(f"{ACTIVE} pesanan"))
        assert queue.rows
        drawn = [s for s in queue.render_line(0) if s.text.strip()]
        assert any(s.style is not None and s.style.color != muted for s in drawn)


async def test_enter_while_a_slow_search_runs_opens_its_top_ticket_when_it_comes(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a slow link the agent searches and presses enter before the answer: what
    opens is the search's first ticket, not the last view's under the cursor."""
    listed = store.list_tickets
    answer = slow_searches(store, monkeypatch, lambda query: bool(query.words))
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        last_view, searched = queue.rows[0], queue.rows[-1]
        phrase = f'"{searched.subject}"'
        found = await listed(parse(f"{ACTIVE} {phrase}"), limit=1)
        assert found.tickets
        assert found.tickets[0].id != last_view.id
        await pilot.press("slash", *phrase, "enter", "enter")
        title = app.screen.query_one("#queue-pane")
        await until(pilot, lambda: str(title.border_subtitle) == "searching…")
        await pilot.pause(0.2)
        pane = main_screen(app).ticket_pane
        assert pane.ticket is None  # nothing opened yet: not the last view's ticket
        answer.set()
        await until(pilot, lambda: pane.ticket is not None)
        assert pane.ticket is not None
        assert pane.ticket.id == found.tickets[0].id


async def test_an_estimated_count_reads_as_about_so_many(
    make_app: AppFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past 1,000 a store may estimate a search's count: the queue says "about", to two
    digits; the exact counts it says as they are."""
    listed = store.list_tickets

    async def estimated_for_pesanan(query: Query | None, **options: Any) -> TicketPage:
        page = await listed(query, **options)
        if query is not None and any(word.text == "pesanan" for word in query.words):
            return replace(page, total=51_284, total_is_estimate=True)
        return page

    monkeypatch.setattr(store, "list_tickets", estimated_for_pesanan)
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        pane = app.screen.query_one("#queue-pane")
        queue = app.screen.query_one(QueueTable)
        assert str(pane.border_subtitle).endswith(f"of {queue.total:,}")
        await pilot.press("slash", "ctrl+u", *"pesanan")
        await until(pilot, lambda: str(pane.border_subtitle).endswith("of about 51,000"))
        await pilot.press("ctrl+u")
        await until(pilot, lambda: "about" not in str(pane.border_subtitle))
        await settled(pilot)
        assert str(pane.border_subtitle).endswith(f"of {queue.total:,}")
