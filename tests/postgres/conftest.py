"""Tests of what only a PostgreSQL store does (several servers on one database,
writers committing out of order), each on a database of its own in the test
session's throwaway cluster (tests/pgserver.py)."""

from __future__ import annotations

import uuid

import pytest

from tests import pgserver


@pytest.fixture
async def pg_url() -> str:
    return await pgserver.fresh_database(f"t_{uuid.uuid4().hex[:16]}")
