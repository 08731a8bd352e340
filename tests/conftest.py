"""What every test process shares: cs-tui run as a command by a test (the CLI, the
server, the TUI in tmux) compiles its modules once and reuses them, as an installed
cs-tui does, instead of compiling them at every start where the environment says
not to write bytecode."""

from __future__ import annotations

import os

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
