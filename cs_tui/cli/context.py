"""What every subcommand needs: the store, who the agent is, and where logs go."""

from __future__ import annotations

import getpass
import socket
from pathlib import Path

import platformdirs

from cs_tui.config import Config
from cs_tui.domain.agents import agents_named
from cs_tui.domain.models import Agent, is_email_address
from cs_tui.store import Store, default_store_path, is_remote, open_store


class UsageError(Exception):
    """The command line asks for something that cannot be done as asked."""


class WhoAreYou(UsageError):
    """The name given for the agent (or the login name) is not one agent of the store:
    nobody, or several. `candidates` are those it could mean (several), else the whole
    team; the TUI offers them, the other commands say so."""

    def __init__(self, message: str, spec: str, candidates: list[Agent], *, several: bool) -> None:
        super().__init__(message)
        self.spec = spec
        self.candidates = candidates
        self.several = several
        """The name fits several agents (else nobody)."""


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
        """The agent this command acts as (see _who); on a server, the token's agent."""
        if self._agent is None:
            store = await self.store()
            if is_remote(self.store_url):
                from cs_tui.store.http import HttpStore

                assert isinstance(store, HttpStore)
                self._agent = store.agent
                return store.agent
            spec = self.agent_spec or login_name()
            found = await self._who(store, spec)
            self._agent = found
        return self._agent

    async def _who(self, store: Store, spec: str) -> Agent:
        """The one agent `spec` names (domain.agents). An agent is made only on a store
        that has none yet (its first), or for an address given on purpose; a bare name
        that fits nobody, or several, is a question for the agent (WhoAreYou)."""
        team = await store.list_agents()
        named = agents_named(team, spec)
        if len(named) == 1:
            return named[0]
        given = "--agent" if self.agent_spec else "your login name"
        if len(named) > 1:
            listed = ", ".join(f"{a.name} <{a.email}>" for a in named[:8])
            raise WhoAreYou(
                f"{given} {spec!r} could be {listed}: give the address with --agent",
                spec,
                named,
                several=True,
            )
        explicit_address = self.agent_spec is not None and is_email_address(spec)
        if not team or explicit_address:
            return await store.ensure_agent(*newcomer(spec))
        listed = ", ".join(a.email for a in team if a.active)[:400]
        raise WhoAreYou(
            f"no agent of this store is {spec!r} ({given}): say who you are with --agent NAME_OR_EMAIL "
            f"(or CS_TUI_AGENT, or agent in the config), one of: {listed}; or add yourself with "
            "`cs-tui agent add 'Your Name' --email you@example.com`",
            spec,
            [a for a in team if a.active],
            several=False,
        )

    def use_agent(self, agent: Agent) -> None:
        """Act as `agent` (picked on the screen)."""
        self._agent = agent

    async def close(self) -> None:
        if self._store is not None:
            await self._store.close()
            self._store = None


def newcomer(spec: str) -> tuple[str, str]:
    """The name and address a new agent made from `spec` gets: an address gives both
    (its part before the @ as the name); a login name gets login@host.local."""
    if "@" in spec:
        return spec.split("@")[0], spec
    return spec, f"{spec}@{_host()}"


def _host() -> str:
    name = socket.gethostname().split(".")[0] or "localhost"
    return name if "." in name else f"{name}.local"
