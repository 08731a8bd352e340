"""The README's two commands are the ones CI and newcomers run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```(?:sh|bash)\n(python3 -m venv .venv && [^\n]+)\n```", text)


def test_readme_has_the_demo_and_the_test_command() -> None:
    commands = readme_commands()
    assert any(c.endswith("cs-tui demo") for c in commands), commands
    assert any(c.endswith("python -m pytest") for c in commands), commands


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = next(c for c in readme_commands() if c.endswith("python -m pytest"))
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines
