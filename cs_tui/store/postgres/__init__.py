"""The PostgreSQL store: one database shared by several `cs-tui serve` processes."""

from cs_tui.store.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
