"""Fixtures of the Store contract suite: every test here runs once per store in
STORE_FACTORIES, and the tests themselves use nothing but the Store protocol."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from cs_tui.store import Store, open_store

from .postgres import postgres_store
from .served import http_store

StoreFactory = Callable[[Path], AbstractAsyncContextManager[Store]]
"""Opens a store whose data lives under a directory (a fresh one per test) and closes
it on exit. Opening it again on the same directory gives a second, independent store
over the same data: another connection, as another process or another agent has."""


@asynccontextmanager
async def sqlite_store(place: Path) -> AsyncIterator[Store]:
    store = await open_store(f"sqlite:///{place / 'cs-tui.db'}")
    try:
        yield store
    finally:
        await store.close()


STORE_FACTORIES: dict[str, StoreFactory] = {
    "sqlite": sqlite_store,
    "http": http_store,
    "postgresql": postgres_store,
}


@pytest.fixture(scope="session", params=sorted(STORE_FACTORIES))
def store_factory(request: pytest.FixtureRequest) -> StoreFactory:
    """Session-scoped, so that hypothesis tests may use it to open a store per example."""
    return STORE_FACTORIES[request.param]


@pytest.fixture
async def store(store_factory: StoreFactory, tmp_path: Path) -> AsyncIterator[Store]:
    async with store_factory(tmp_path) as opened:
        yield opened


@pytest.fixture
async def second_store(store: Store, store_factory: StoreFactory, tmp_path: Path) -> AsyncIterator[Store]:
    """Another store on the same data as `store`, opened after it."""
    async with store_factory(tmp_path) as opened:
        yield opened
