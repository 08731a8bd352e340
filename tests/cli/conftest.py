"""Fixtures for the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .cli_runner import CsTui


@pytest.fixture
def cs_tui(tmp_path: Path) -> CsTui:
    return CsTui(tmp_path / "store.db", tmp_path / "home")
