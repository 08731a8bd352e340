"""A PostgreSQL store for the contract suite: a database of its own per test, in the
test session's throwaway cluster (tests/pgserver.py)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from cs_tui.store import Store, open_store
from tests import pgserver

_open: Counter[str] = Counter()


def database_of(place: Path) -> str:
    return "t_" + hashlib.sha256(str(place).encode()).hexdigest()[:20]


@asynccontextmanager
async def postgres_store(place: Path) -> AsyncIterator[Store]:
    name = database_of(place)
    if _open[name] == 0 and not (place / ".postgres").exists():
        url = await pgserver.fresh_database(name)
        (place / ".postgres").write_text(url)
    url = (place / ".postgres").read_text()
    store = await open_store(url)
    _open[name] += 1
    try:
        yield store
    finally:
        await store.close()
        _open[name] -= 1
