"""How the main screen looks, at 80x24 and 160x48, in every shipped theme and without colour.

Snapshots live in __snapshots__/; after a deliberate change to the looks, review
the report and accept it with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cs_tui.config import Config
from cs_tui.demo import DEMO_AGENTS
from cs_tui.store import open_store
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.kept import KeptTexts
from cs_tui.tui.services import Services

from .helpers import clock


class StoreOpeningApp(HelpdeskApp):
    """The app with its store opened on the app's own event loop, as the snapshot
    plugin runs the app in a loop of its own."""

    def __init__(self, path: Path, config: Config) -> None:
        kept = KeptTexts(path.parent / "kept")
        super().__init__(None, None, config, clock=clock, live=False, kept=kept)  # type: ignore[arg-type]
        self.path = path

    async def on_load(self) -> None:
        store = await open_store(str(self.path))
        agent = await store.find_agent(DEMO_AGENTS[0].email)
        assert agent is not None
        self.services = Services(
            store=store, agent=agent, config=self.services.config, clock=clock, kept=self.services.kept
        )

    async def on_unmount(self) -> None:
        await self.services.store.close()


@pytest.fixture
def store_file(store_path: Path) -> Path:
    """A copy of the demo shop, which the app opens on its own loop."""
    return store_path


def app_for(store_file: Path, tmp_path: Path, theme: str = "cs-dark") -> StoreOpeningApp:
    return StoreOpeningApp(store_file, Config(theme=theme, path=tmp_path / "config" / "config.toml"))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_screen(snap_compare: Any, store_file: Path, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(store_file, tmp_path), press=["3", "j", "enter", "_"], terminal_size=size)


@pytest.mark.parametrize("theme", ["cs-dark", "cs-light", "cs-high-contrast", "cs-256"])
def test_each_theme(snap_compare: Any, store_file: Path, tmp_path: Path, theme: str) -> None:
    assert snap_compare(
        app_for(store_file, tmp_path, theme), press=["3", "enter", "n", "_"], terminal_size=(160, 48)
    )


def test_no_color(
    snap_compare: Any, store_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR: the mono theme, white and greys on black; the cursor's row reversed, a
    marked row grey, unread ones and breached SLAs bold."""
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(app_for(store_file, tmp_path), press=["3", "j", "x"], terminal_size=(80, 24))
