"""The API against its own document: Schemathesis generates requests, valid and
invalid, for every operation in /api/v1/openapi.json and hands them to the app in
this process (ASGI, no socket), signed in with the service token over a small demo
store. No answer may be a server error, and every answer must be one the document
describes: its status, its content type and its body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from starlette.types import Receive, Scope, Send

from cs_tui.domain.tokens import new_token, token_hash
from cs_tui.server.app import API, create_app
from cs_tui.server.auth import HELPDESK, ON_BEHALF
from cs_tui.store import open_store
from tests.tui.helpers import fill_demo

pytestmark = pytest.mark.slow  # many generated requests

EXAMPLES = 40
"""Requests per operation and generation mode; enough to reach every status an operation answers with."""
TICKETS = 40
"""Demo tickets, so that small ids name real tickets, customers and messages."""
REAL_IDS = st.integers(1, 5)
"""Ids the demo store has: agents, canned responses, tickets, customers, messages."""
HEARTBEAT_S = 1.0
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


class Helpdesk:
    """cs-tui's API over a demo store in `place`, as an ASGI app that opens and fills
    the store when it starts and closes it when it stops. Schemathesis runs an app's
    lifespan and its requests on an event loop of its own; opening the store there
    too keeps the store on the loop that uses it."""

    def __init__(self, place: Path, token: str) -> None:
        self.url = f"sqlite:///{place / 'cs-tui.db'}"
        self.token = token
        self._app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._live(scope, receive, send)
            return
        if self._app is None:
            raise RuntimeError("a request before the app started")
        await self._app(scope, receive, send)

    async def _live(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app's lifespan (its event hub), with the store open around it."""
        store = await open_store(self.url)
        try:
            await fill_demo(store, TICKETS)
            self._app = create_app(store, heartbeat_s=HEARTBEAT_S, service_token_hash=token_hash(self.token))
            await self._app(scope, receive, send)
        finally:
            self._app = None
            await store.close()


def flatmap_path_parameters(context: Any, parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """About half the ids in a path name something the store has, so that requests
    reach past "not found"; the rest stay as generated."""
    if not parameters:
        return st.just(parameters)
    ids = {name: value for name, value in parameters.items() if type(value) is int}
    return st.fixed_dictionaries({name: st.just(value) | REAL_IDS for name, value in ids.items()}).map(
        lambda chosen: {**parameters, **chosen}
    )


def flatmap_headers(context: Any, headers: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """Most `X-On-Behalf-Of` headers name a demo agent or the helpdesk, so that what
    only an agent has (drafts, read marks, presence) is reached too; one in five
    stays as generated."""
    if not headers or ON_BEHALF not in headers:
        return st.just(headers)
    acting = st.sampled_from([headers[ON_BEHALF], HELPDESK, "1", "2", "3"])
    return acting.map(lambda who: {**headers, ON_BEHALF: who})


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> Helpdesk:
    return Helpdesk(tmp_path_factory.mktemp("fuzzed"), new_token())


@pytest.fixture(scope="module")
def api(helpdesk: Helpdesk) -> schemathesis.BaseSchema:
    loaded = schemathesis.openapi.from_asgi(f"{API}/openapi.json", helpdesk)
    loaded.hook(flatmap_path_parameters)
    loaded.hook(flatmap_headers)
    return loaded


# The event stream never ends by design (test_team.py and the contract suite test it).
# The export streams too, but it ends: it stays in.
schema = schemathesis.pytest.from_fixture("api").exclude(path_regex=r"/events$")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_answer_outside_the_document(
    case: schemathesis.Case,  # type: ignore[type-arg]
    helpdesk: Helpdesk,
) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {helpdesk.token}"}, checks=CHECKS, timeout=10)
