"""The embedded SQLite store (aiosqlite)."""

from cs_tui.store.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
