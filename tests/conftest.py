"""What every test process shares: cs-tui run as a command by a test (the CLI, the
server, the TUI in tmux) compiles its modules once and reuses them, as an installed
cs-tui does, instead of compiling them at every start where the environment says
not to write bytecode."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests import pgserver

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


@pytest.fixture(scope="session", autouse=True)
def _postgresql_stopped() -> Iterator[None]:
    """The session's PostgreSQL cluster (tests/pgserver.py), if a test started it, is
    stopped and deleted at the end."""
    yield
    pgserver.stop_shared()
