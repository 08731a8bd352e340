"""Team mode over HTTP: every endpoint signs in, admins alone manage, nobody writes
as someone else, and live events reach every client, across a server restart."""

from __future__ import annotations

import asyncio
import re
import signal
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import aclosing, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from cs_tui.domain.models import Event, NewMessage
from cs_tui.store import Unauthorized, open_store
from cs_tui.store.http import HttpStore

from .conftest import Server, demo_server

ADMIN_ONLY = [
    ("POST", "/api/v1/agents"),
    ("POST", "/api/v1/agents/ensure"),
    ("PUT", "/api/v1/agents/1/token"),
    ("POST", "/api/v1/agents/by-token"),
    ("POST", "/api/v1/canned"),
    ("PUT", "/api/v1/canned/1"),
    ("DELETE", "/api/v1/canned/1"),
    ("PUT", "/api/v1/tickets/1/rating"),
    ("POST", "/api/v1/import"),
    ("GET", "/api/v1/export"),
    ("POST", "/api/v1/customers/1/merge"),
]


def every_operation(server: Server) -> list[tuple[str, str]]:
    """Each method and path of the API document, with 1 for every id."""
    document = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, operations in document["paths"].items()
        for method in operations
    ]


def test_every_endpoint_refuses_a_missing_wrong_or_revoked_token(tmp_path: Path) -> None:
    with demo_server(tmp_path, options=("--trusted-proxy", "127.0.0.1")) as server:
        every_endpoint_refuses_a_missing_wrong_or_revoked_token(server)


def every_endpoint_refuses_a_missing_wrong_or_revoked_token(server: Server) -> None:
    revoked = server.token("Budi", "budi@toko.example")
    server.cli("agent", "revoke", "budi@toko.example")
    operations = every_operation(server)
    assert len(operations) > 30
    with httpx.Client(base_url=server.url) as client:
        for number, (method, path) in enumerate(operations):
            # A new address (through a trusted proxy) for each operation's two wrong
            # tokens keeps the wrong-token limit out of this test.
            for headers in (
                {},
                {"Authorization": "Bearer cst_wrong"},
                {"Authorization": f"Bearer {revoked}"},
            ):
                headers["X-Forwarded-For"] = f"10.0.{number}.1"
                answer = client.request(method, path, headers=headers, json={})
                assert answer.status_code == 401, (method, path, headers, answer.text)


def test_an_agent_token_cannot_do_what_admins_do(server: Server) -> None:
    token = server.token("Budi", "budi@toko.example")
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
        for method, path in ADMIN_ONLY:
            answer = client.request(method, path, json={})
            assert answer.status_code == 403, (method, path, answer.text)
            assert "admin" in answer.json()["detail"]


def test_one_agent_cannot_write_as_another(server: Server) -> None:
    budi = server.token("Budi", "budi@toko.example")
    server.token("Sari", "sari@toko.example")
    with httpx.Client(base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {budi}"}) as client:
        sari = client.get("/agents/find", params={"who": "sari@toko.example"}).json()
        body = {"client_id": str(uuid.uuid4()), "body": "Saya Sari", "agent_id": sari["id"]}
        posed = client.post("/tickets/1/messages", json=body, headers={"X-On-Behalf-Of": str(sari["id"])})
        assert posed.status_code == 403
        written = client.post("/tickets/1/messages", json=body)
        assert written.status_code == 201
        assert written.json()["author_name"] == "Budi"
        assert written.json()["agent_id"] != sari["id"]


async def test_a_revoked_token_stops_working_at_once(server: Server) -> None:
    token = server.token("Budi", "budi@toko.example")
    store = await open_store(server.url, token=token)
    try:
        await store.get_ticket(1)
        server.cli("agent", "revoke", "budi@toko.example")
        with pytest.raises(Unauthorized):
            await store.get_ticket(1)
    finally:
        await store.close()


async def collect(store: HttpStore, since: int, into: list[Event]) -> None:
    async with aclosing(store.events(since)) as events:  # type: ignore[type-var]
        async for event in events:
            into.append(event)


async def wait_for(found: list[Any], count: int, within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while len(found) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} events arrived"
        await asyncio.sleep(0.05)


@asynccontextmanager
async def two_agents(server: Server) -> AsyncIterator[tuple[HttpStore, HttpStore]]:
    first = await open_store(server.url, token=server.token("Budi", "budi@toko.example"))
    second = await open_store(server.url, token=server.token("Sari", "sari@toko.example"))
    assert isinstance(first, HttpStore)
    assert isinstance(second, HttpStore)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_what_one_agent_writes_reaches_the_others_events_across_a_restart(server: Server) -> None:
    async with two_agents(server) as (budi, sari):
        since = await sari.last_event_id()
        seen: list[Event] = []
        listening = asyncio.create_task(collect(sari, since, seen))
        try:
            await budi.add_message(1, NewMessage(str(uuid.uuid4()), "Sudah saya cek"), actor_id=budi.agent.id)
            await wait_for(seen, 1)
            assert (seen[0].kind, seen[0].ticket_id, seen[0].actor_id) == ("message.added", 1, budi.agent.id)

            await asyncio.to_thread(server.kill)
            await asyncio.to_thread(server.start)
            for number in range(3):  # written before Sari's stream is back: none may be missed
                await budi.add_message(
                    2, NewMessage(str(uuid.uuid4()), f"Balasan {number}"), actor_id=budi.agent.id
                )
            await wait_for(seen, 4)
            await asyncio.sleep(0.5)
            ids = [event.id for event in seen]
            assert ids == sorted(set(ids)), "an event came twice or out of order"
            assert len(seen) == 4
        finally:
            listening.cancel()


def test_sigterm_ends_live_streams_and_shuts_down_cleanly(server: Server) -> None:
    token = server.token("Budi", "budi@toko.example")
    headers = {"Authorization": f"Bearer {token}"}
    process = server.process
    assert process is not None
    with httpx.Client(base_url=f"{server.url}/api/v1", headers=headers, timeout=10) as client:
        with client.stream("GET", "/events") as stream:
            lines = stream.iter_lines()
            assert next(lines).startswith("retry:")
            started = time.monotonic()
            process.send_signal(signal.SIGTERM)
            rest = list(lines)  # the stream ends rather than holding the shutdown up
        process.wait(10)
    assert time.monotonic() - started < 5
    assert all(not line or line.startswith(":") for line in rest)
    assert process.stderr is not None
    log = process.stderr.read().decode()
    assert "Application shutdown complete" in log
    server.process = None
