"""Who is signed in is always on the screen, and who is at the keyboard, when the
name given fits nobody or several, is asked, not guessed."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from cs_tui.config import load_config, remember
from cs_tui.domain.models import Agent
from cs_tui.tui.who import NEW, WhoAreYouApp
from cs_tui.tui.widgets.key_hints import KeyHints

from .helpers import AppFactory, settled, shown

TEAM = [Agent(1, "Sari Wulandari", "sari@toko.example"), Agent(2, "Dewi Lestari", "dewi@toko.example")]


async def test_the_foot_of_the_screen_says_who_is_signed_in_at_any_width(make_app: AppFactory) -> None:
    for size in ((80, 24), (200, 50)):
        app = make_app()
        async with app.run_test(size=size) as pilot:
            await settled(pilot)
            assert app.services.agent.first_name in shown(app.screen.query_one(KeyHints))


async def test_the_agent_picks_who_they_are_or_asks_to_be_someone_new() -> None:
    app = WhoAreYouApp("no agent of this store is 'kasir'", TEAM, "kasir <kasir@kasa.local>")
    async with app.run_test() as pilot:
        options = app.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)] == [
            "Sari Wulandari <sari@toko.example>  agent",
            "Dewi Lestari <dewi@toko.example>  agent",
            "Someone new: add me as kasir <kasir@kasa.local>",
        ]
        await pilot.press("down", "enter")
    assert app.return_value == "dewi@toko.example"
    newcomer = WhoAreYouApp("", TEAM, "kasir <kasir@kasa.local>")
    async with newcomer.run_test() as pilot:
        await pilot.press("end", "enter")
    assert newcomer.return_value == NEW
    leaving = WhoAreYouApp("", TEAM, "kasir <kasir@kasa.local>")
    async with leaving.run_test() as pilot:
        await pilot.press("escape")
    assert leaving.return_value is None


def test_the_answer_is_remembered_in_the_config_beside_what_was_there(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "cs-light"\n\n[keymap]\nsend = "ctrl+enter"\n')
    assert remember("agent", "dewi@toko.example", config)
    assert remember("agent", "sari@toko.example", config)  # replaced, not added twice
    loaded = load_config(config)
    assert (loaded.agent, loaded.theme) == ("sari@toko.example", "cs-light")
    assert config.read_text().count("agent =") == 1
