"""What every subcommand needs: the store, who the agent is, and where logs go."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

import platformdirs

from cs_tui.config import Config
from cs_tui.domain.models import Agent
from cs_tui.store import Store, default_store_path, is_remote, open_store


class UsageError(Exception):
    """The command line asks for something that cannot be done as asked."""


def log_path() -> Path:
    return platformdirs.user_log_path("cs-tui", appauthor=False) / "cs-tui.log"


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


class Context:
    def __init__(
        self,
        store_url: str | None,
        agent_spec: str | None,
        config: Config | None = None,
        *,
        token: str | None = None,
    ) -> None:
        self.store_url = store_url
        self.token = token
        self.agent_spec = agent_spec
        self.config = config or Config()
        self._store: Store | None = None
        self._agent: Agent | None = None

    @property
    def store_label(self) -> str:
        return self.store_url or str(default_store_path())

    async def store(self, *, one_screen: bool = False) -> Store:
        """The store, opened on first use (`one_screen`: see open_store)."""
        if self._store is None:
            self._store = await open_store(self.store_url, token=self.token, one_screen=one_screen)
        return self._store

    def wrap_store(self, store: Store) -> None:
        """Use `store`, a wrapper of the opened one (closing it closes both)."""
        self._store = store

    async def agent(self) -> Agent:
        """The agent this command acts as, created on first use; on a server, the
        token's agent."""
        if self._agent is None:
            store = await self.store()
            if is_remote(self.store_url):
                from cs_tui.store.http import HttpStore

                assert isinstance(store, HttpStore)
                self._agent = store.agent
                return store.agent
            spec = self.agent_spec or login_name()
            found = await store.find_agent(spec)
            if found is None:
                if "@" in spec:
                    found = await store.ensure_agent(spec.split("@")[0], spec)
                else:
                    found = await store.ensure_agent(spec, f"{spec}@{_host()}")
            self._agent = found
        return self._agent

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None


def _host() -> str:
    name = socket.gethostname().split(".")[0] or "localhost"
    return name if "." in name else f"{name}.local"
