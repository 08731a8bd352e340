"""The API against its own document: Schemathesis generates requests for every
operation from /api/v1/openapi.json and sends them to `cs-tui serve` running in
this process (on a loopback socket, over a small demo store). No answer may be a
server error, and every answer must be one the document describes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cs_tui.store import open_store
from tests.contract.served import ServedStore
from tests.tui.helpers import fill_demo

EXAMPLES = 25
"""Requests per operation; enough to reach every status an operation answers with."""
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedStore]:
    place = tmp_path_factory.mktemp("fuzzed")

    async def fill() -> None:
        store = await open_store(str(place / "cs-tui.db"))
        try:
            await fill_demo(store, 40)
        finally:
            await store.close()

    asyncio.run(fill())
    server = ServedStore(place)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api(served: ServedStore) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{served.url}/api/v1/openapi.json")


# The event stream never ends by design; test_team.py tests it.
schema = schemathesis.pytest.from_fixture("api").exclude(path_regex=r"/events$")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_answer_outside_the_document(
    case: schemathesis.Case, served: ServedStore
) -> None:
    case.call_and_validate(
        base_url=served.url,
        headers={"Authorization": f"Bearer {served.token}"},
        checks=[*CHECKS, response_schema_conformance],
        timeout=10,
    )
