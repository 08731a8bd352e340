"""Storage behind one protocol: `open_store(url)` picks the implementation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import platformdirs

from cs_tui.domain.models import SlaPolicy
from cs_tui.store.base import (
    Conflict,
    InvalidInput,
    NotFound,
    Queued,
    Store,
    StoreError,
    StoreTooNew,
    StoreUnavailable,
    StoreUnwritable,
    Unauthorized,
)

__all__ = [
    "Conflict",
    "InvalidInput",
    "NotFound",
    "Queued",
    "Store",
    "StoreError",
    "StoreTooNew",
    "StoreUnavailable",
    "StoreUnwritable",
    "Unauthorized",
    "default_store_path",
    "is_remote",
    "open_store",
]


def default_store_path() -> Path:
    return platformdirs.user_data_path("cs-tui", appauthor=False) / "cs-tui.db"


def sqlite_path(url: str | None) -> Path | None:
    """The file a store URL names, or None when it is not a SQLite store."""
    if not url:
        return default_store_path()
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/or/absolute -> the path after the third slash, as
        # SQLAlchemy reads it: sqlite:////abs/path and sqlite:///rel/path.
        rest = url[len("sqlite://") :]
        return Path(unquote(rest[1:] if rest.startswith("/") else rest))
    if parsed.scheme in ("", "file") or len(parsed.scheme) == 1:  # a bare path, or C:\...
        return Path(unquote(parsed.path) if parsed.scheme == "file" else url)
    return None


def is_remote(url: str | None) -> bool:
    """Whether a store URL names `cs-tui serve` (http or https)."""
    return urlparse(url or "").scheme in ("http", "https")


SCREEN_READERS = 2
SCREEN_MEMORY = 1024 * 1024
"""For one agent's screen, a SQLite store reads on this many connections and SQLite
keeps to this much memory (its page caches recycle: the file's pages stay in the
operating system's cache, so the queue, tickets and metrics are as fast)."""


async def open_store(
    url: str | None = None,
    *,
    sla: SlaPolicy | None = None,
    token: str | None = None,
    one_screen: bool = False,
) -> Store:
    """Open the store a URL names: a path or sqlite:///path, http(s)://HOST:PORT
    (signed in with `token`), or postgresql://USER@HOST/DATABASE.
    `one_screen`: the store serves one agent's screen, not a team, and should take
    little memory (see SCREEN_MEMORY)."""
    path = sqlite_path(url)
    if path is not None:
        from cs_tui.store.sqlite import SqliteStore

        if one_screen:
            return await SqliteStore.open(path, sla=sla, readers=SCREEN_READERS, memory_limit=SCREEN_MEMORY)
        return await SqliteStore.open(path, sla=sla)
    scheme = urlparse(url or "").scheme
    if is_remote(url):
        from cs_tui.store.http import HttpStore

        return await HttpStore.open(url or "", token)
    if scheme in ("postgresql", "postgres"):
        from cs_tui.store.postgres import PostgresStore

        return await PostgresStore.open(url or "", sla=sla)
    raise InvalidInput(
        f"cannot tell what store {url!r} is: use a file path, sqlite:///PATH, "
        "http(s)://HOST:PORT for a team server, or postgresql://USER@HOST/DATABASE"
    )
