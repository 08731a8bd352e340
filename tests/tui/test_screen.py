"""The screen as a whole: the sidebar's figures, live updates from other processes,
untrusted text, narrow terminals, help and the command palette."""

from __future__ import annotations

from datetime import timedelta

from textual.app import App
from textual.color import Color
from textual.command import CommandPalette
from textual.geometry import Region

from cs_tui.domain.metrics import last_days, today
from cs_tui.domain.models import AuthorKind, NewMessage, NewTicket
from cs_tui.domain.timeutil import duration
from cs_tui.store.base import Store
from cs_tui.tui.screens.help import HelpScreen
from cs_tui.tui.widgets.queue import QueueTable
from cs_tui.tui.widgets.sidebar import MetricsSidebar

from .helpers import NOW, AppFactory, main_screen, notices, screen_text, settled, shown, until, wait_until


async def test_the_sidebar_shows_the_same_figures_as_the_metrics_command(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        figures = app.screen.query_one(MetricsSidebar).query_one("#figures")
        await until(pilot, lambda: "7 days median" in shown(figures))
        text = shown(figures)
        me = app.services.agent.id
        day = await store.metrics(today(NOW), viewer_id=me, now=NOW)
        week = await store.metrics(last_days(NOW, 7), viewer_id=me, now=NOW)
        lines = dict((line[:15].strip(), line[15:].strip()) for line in text.splitlines() if len(line) > 15)
        assert lines["7 days median"] == duration(week.frt.median_s or 0)
        assert lines["open"] == f"{day.open.open:,}"
        assert lines["breaching SLA"] == f"{day.open.breaching:,}"
        assert lines["unassigned"] == f"{day.open.unassigned:,}"
        hourly = await store.new_tickets_per_hour(NOW - timedelta(hours=24), NOW)
        assert f"{sum(hourly):,} new" in shown(app.screen.query_one("#sparkline-scale"))


async def test_a_ticket_from_another_process_appears_without_moving_the_cursor(
    make_app: AppFactory, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("j", "j")
        queue = app.screen.query_one(QueueTable)
        under_cursor = queue.current
        assert under_cursor is not None
        created = await other_store.create_ticket(
            NewTicket("Paket belum sampai", "wulan@example.com", "Sudah 5 hari", customer_name="Wulan"),
            actor_id=None,
        )
        await until(pilot, lambda: any("Paket belum sampai" in n for n in notices(app)))
        await until(pilot, lambda: any(t.id == created.id for t in queue.rows))
        assert queue.rows[0].id == created.id
        assert queue.current is not None
        assert queue.current.id == under_cursor.id


async def test_a_reply_from_another_agent_shows_in_the_open_ticket(
    make_app: AppFactory, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        ticket = main_screen(app).ticket_pane.ticket
        assert ticket is not None
        await other_store.add_message(
            ticket.id,
            NewMessage("from-wulan", "Paketnya sudah sampai, makasih!", AuthorKind.CUSTOMER),
            actor_id=None,
        )
        conversation = main_screen(app).ticket_pane.conversation
        await until(pilot, lambda: conversation.messages[-1].body == "Paketnya sudah sampai, makasih!")


HOSTILE_SUBJECT = "[bold red]x[/] [@click=app.quit]q[/] \x1b[2J\x1b]0;pwned\x07"


async def test_markup_and_escape_sequences_from_customers_show_literally(
    make_app: AppFactory, store: Store
) -> None:
    hostile = await store.create_ticket(
        NewTicket(
            HOSTILE_SUBJECT,
            "evil@example.com",
            "Body [bold]not bold[/bold] \x1b[31mred?\x1b[0m \x1b]8;;http://x\x07link\x1b]8;;\x07 \x9b2J end",
            customer_name="[link=http://x]Mallory[/link]\x1b[5m",
        ),
        actor_id=None,
    )
    app = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == hostile.id)
        await pilot.press("enter")
        await settled(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]q[/]" in text
        assert "Body [bold]not bold[/bold] red? link  end" in text
        assert "[link=http://x]Mallory[/link]" in text
        assert not any(c in text for c in "\x1b\x07\x9b\x9d")
        assert app.is_running  # the [@click=app.quit] did nothing


async def test_at_80_columns_queue_and_ticket_take_the_width_in_turn(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        screen = app.screen
        assert not screen.query_one("#sidebar").display
        assert not screen.query_one("#ticket-pane").display
        assert screen.query_one("#queue-pane").outer_size.width == 80
        await pilot.press("enter")
        await settled(pilot)
        assert screen.query_one("#ticket-pane").display
        assert not screen.query_one("#queue-pane").display
        assert screen.query_one("#ticket-pane").outer_size.width == 80
        await pilot.press("escape")
        assert screen.query_one("#queue-pane").display
        await pilot.press("m")
        assert screen.query_one("#sidebar").display


async def test_widening_the_terminal_shows_the_sidebar_with_its_figures_at_once(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        sidebar = app.screen.query_one(MetricsSidebar)
        assert not sidebar.display
        await pilot.resize_terminal(200, 50)
        # Sooner than the sidebar's every-5-seconds refresh.
        assert await wait_until(pilot, lambda: "7 days median" in shown(sidebar.query_one("#figures")), 2.0)


async def test_help_lists_every_key_and_the_palette_runs_actions(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 48)) as pilot:  # tall enough for the help to show whole
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        for words in ("Reply", "Note", "Canned", "Assign me", "Status", "Tags", "Show all", "Save file"):
            assert words in text
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"view pending")
        await until(pilot, lambda: "View 6: Pending" in screen_text(app))  # found, with its key
        assert ":view pending" in screen_text(app)  # and its words on the command line
        await pilot.press("enter")
        queue_pane = main_screen(app).query_one("#queue-pane")
        await until(pilot, lambda: queue_pane.border_title == "6 Pending · by activity")


ROUND_BORDER = set("╭╮╰╯─│")


def outlined(app: App[None]) -> list[str]:
    """The panes drawn with the theme's accent all round: the one holding the focus.
    What the panes draw, not their styles: a pane repaints its edges itself."""
    accent = Color.parse(app.theme_variables["accent"]).rich_color
    found = []
    for pane in app.screen.query("#queue-pane, #ticket-pane"):
        width, height = pane.outer_size
        lines = pane.render_lines(Region(0, 0, width, height))
        sides = [line.crop(0, 1) for line in lines] + [line.crop(width - 1) for line in lines]
        drawn = [segment for line in [lines[0], lines[-1], *sides] for segment in line]
        colours = {s.style.color for s in drawn if s.style and s.text and set(s.text) <= ROUND_BORDER}
        if colours == {accent}:
            found.append(pane.id or "")
    return found


async def test_the_pane_holding_the_focus_is_outlined_in_every_theme(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")  # all open: a ticket to open, whoever holds them
        await settled(pilot)
        assert outlined(app) == ["queue-pane"]
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: outlined(app) == ["ticket-pane"])
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: outlined(app) == ["queue-pane"])
        app.theme = next(name for name in app.available_themes if name != app.theme)
        await pilot.pause()
        assert outlined(app) == ["queue-pane"]
