"""Lint, format, types and layering are part of the test pass."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def test_ruff_lint_is_clean() -> None:
    # No cache: a cached verdict can outlive a change in which modules exist.
    result = run(tool("ruff"), "check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    result = run(tool("ruff"), "format", "--no-cache", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_import_only_what_they_may() -> None:
    result = run(tool("lint-imports"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_domain_and_store_import_without_textual() -> None:
    code = (
        "import sys\n"
        "sys.modules['textual'] = None\n"
        "import cs_tui.domain.models, cs_tui.domain.query, cs_tui.domain.metrics\n"
        "import cs_tui.domain.templates, cs_tui.domain.text, cs_tui.domain.records\n"
        "import cs_tui.store, cs_tui.store.sqlite\n"
        "print('ok')\n"
    )
    result = run(sys.executable, "-c", code)
    assert result.stdout.strip() == "ok", result.stderr
