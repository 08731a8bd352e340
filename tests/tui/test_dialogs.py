"""The small dialogs say what they do and show what they hold: a picker's letters are
shown and each picks one choice (on hold has one of its own), the canned-response
editor shows every field at any width, the help screen names the views."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Input, OptionList, Static

from cs_tui.config import Config
from cs_tui.domain.models import Status
from cs_tui.store.base import Store
from cs_tui.tui.screens.canned import CannedEditorScreen
from cs_tui.tui.screens.help import HelpScreen
from cs_tui.tui.screens.pickers import ChoiceScreen

from .helpers import AppFactory, main_screen, notices, open_first, settled, shown, until


async def test_each_status_has_a_letter_of_its_own_shown_beside_it_and_on_hold_is_h(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        ticket_id = await open_first(pilot)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        options = app.screen.query_one(OptionList)
        shown_choices = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        letters = [choice[0] for choice in shown_choices]
        assert len(set(letters)) == len(letters)  # one letter, one choice
        assert any(choice.startswith("h  on hold") for choice in shown_choices)
        assert "a letter jumps" not in shown(app.screen)  # it picks at once, and says so
        await pilot.press("h")
        await until(pilot, lambda: "on hold" in shown(main_screen(app).ticket_pane.header))
        assert (await store.get_ticket(ticket_id)).status is Status.ON_HOLD


async def test_the_canned_response_editor_shows_every_field_at_any_width(make_app: AppFactory) -> None:
    for size in ((80, 24), (160, 48)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await app.push_screen(CannedEditorScreen())
            await settled(pilot)
            screen = app.screen
            for field in screen.query(Input):
                region = field.region
                assert region.width >= 6, f"{field.id} is {region.width} wide at {size}"
                assert region.right <= size[0], f"{field.id} is cut at {size}"


async def test_the_help_screen_names_each_view_on_its_number(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        console = Console(width=118, record=True, file=io.StringIO())
        console.print(help_screen.query_one(Static).content)  # the whole of it, scrolled or not
        text = console.export_text()
        for view in app.services.config.views:
            assert f"view: {view.name}" in text
        assert "View 8" not in text  # no view on 8: not listed


async def test_notices_never_pile_up_and_keep_off_the_composer(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_first(pilot)
        await pilot.press("r")
        composer = main_screen(app).ticket_pane.composer
        await until(pilot, lambda: composer.is_open)
        for number in range(6):
            app.notify(f"Pemberitahuan {number}")
        await settled(pilot)
        toasts = list(app.screen.query("Toast"))
        assert len(toasts) == 3
        assert "Pemberitahuan 5" in str(toasts[-1].render())
        area = composer.area.region
        assert all(not toast.region.overlaps(area) for toast in toasts)


async def test_news_on_the_same_matter_takes_the_earlier_notice_s_place(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        app.notify("Sent by mail", title="Channel toko")
        app.notify("The store is gone", title="Store cannot be written")
        app.notify("The store is gone. Your text stays here.", title="Store cannot be written")
        await settled(pilot)
        shown = [str(toast.render()) for toast in app.screen.query("Toast")]
        assert len(shown) == 2
        assert "Sent by mail" in shown[0]
        assert "Your text stays here" in shown[1]


async def test_ctrl_c_says_which_key_quits_in_plain_words(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("ctrl+c")
        await until(pilot, lambda: any("to quit cs-tui" in n for n in notices(app)))
        assert not any("[b]" in n for n in notices(app))


async def test_a_keymap_entry_that_names_no_key_is_said_with_the_id_it_may_mean(
    make_app: AppFactory, tmp_path: Path
) -> None:
    config = Config(
        keymap={"sendd": "ctrl+enter", "reply": "R"}, path=tmp_path / "config.toml", undo_seconds=0
    )
    app = make_app(config)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        await until(pilot, lambda: any("'sendd'" in n and "send?" in n for n in notices(app)))
        assert not any("'reply'" in n for n in notices(app))
