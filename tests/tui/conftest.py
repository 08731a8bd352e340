"""Fixtures of the TUI tests: a real SQLite store holding a small demo shop, seen at
a fixed moment so ages, SLA countdowns and snapshots do not drift."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from pathlib import Path

import pytest

from cs_tui.config import Config
from cs_tui.demo import DEMO_AGENTS
from cs_tui.domain.models import Agent
from cs_tui.store import Store, open_store
from cs_tui.tui.app import HelpdeskApp
from cs_tui.tui.kept import KeptTexts

from .helpers import AppFactory, clock, fill_demo


@pytest.fixture(autouse=True)
def _fixed_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """UTC clock faces, and a config file of the test's own, never the user's."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setenv("CS_TUI_CONFIG", str(tmp_path / "config" / "config.toml"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)  # it chooses the theme: a test sets it itself


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo shop, filled once; each test works on a copy of its own."""
    path = tmp_path_factory.mktemp("demo") / "cs-tui.db"

    async def fill() -> None:
        opened = await open_store(str(path))
        try:
            await fill_demo(opened)
        finally:
            await opened.close()  # which folds the write-ahead log into the file

    asyncio.run(fill())
    return path


@pytest.fixture
def store_path(tmp_path: Path, demo_file: Path) -> Path:
    path = tmp_path / "cs-tui.db"
    shutil.copyfile(demo_file, path)
    return path


@pytest.fixture
async def store(store_path: Path) -> AsyncIterator[Store]:
    opened = await open_store(str(store_path))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def other_store(store: Store, store_path: Path) -> AsyncIterator[Store]:
    """A second connection to the same file: another agent's process."""
    opened = await open_store(str(store_path))
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def agent(store: Store) -> Agent:
    """Sari, the demo team's lead, who has tickets of her own."""
    found = await store.find_agent(DEMO_AGENTS[0].email)
    assert found is not None
    return found


@pytest.fixture
def make_app(store: Store, agent: Agent, tmp_path: Path) -> AppFactory:
    def make(
        config: Config | None = None, *, live: bool = True, now: Callable[[], datetime] = clock
    ) -> HelpdeskApp:
        # Sends go out at once unless a test is about the undo window.
        config = config or Config(undo_seconds=0, path=tmp_path / "config" / "config.toml")
        return HelpdeskApp(store, agent, config, clock=now, live=live, kept=KeptTexts(tmp_path / "kept"))

    return make
