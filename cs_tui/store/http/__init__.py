"""The store behind `cs-tui serve`, over HTTP."""

from cs_tui.store.http.store import HttpStore

__all__ = ["HttpStore"]
