"""Signing in to `cs-tui serve`: wrong tokens from one address are slowed down, but a
good token is always served, so one agent's stale token never locks out the office
that shares its address; a revoked token is told so, not taken for a server away."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import aclosing
from pathlib import Path

import httpx
import pytest

from cs_tui.config import Config
from cs_tui.domain.models import Event, NewMessage
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import open_store
from cs_tui.store.base import StoreUnavailable, TokenRefused
from cs_tui.store.http import HttpStore
from cs_tui.store.outbox import Outbox, OutboxStore, Waiting
from cs_tui.tui.app import HelpdeskApp
from tests.tui.helpers import notices

from .conftest import Server, demo_server
from .test_outbox import every_open_ticket, until

WRONG = {"Authorization": "Bearer cst_guess"}


def lock_out(api: str, headers: dict[str, str] | None = None) -> list[int]:
    """Eleven wrong tokens from one address: the statuses they got."""
    return [httpx.get(f"{api}/tickets", headers={**WRONG, **(headers or {})}).status_code for _ in range(11)]


def test_a_good_token_is_served_from_an_address_locked_out_for_wrong_ones(server: Server) -> None:
    good = {"Authorization": f"Bearer {server.token('Dewi', 'dewi@toko.example')}"}
    api = f"{server.url}/api/v1"
    assert lock_out(api) == [401] * 10 + [429]
    refused = httpx.get(f"{api}/tickets", headers=WRONG)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert "cs-tui agent token" in refused.json()["detail"]
    for _ in range(3):
        served = httpx.get(f"{api}/tickets", params={"limit": 1}, headers=good)
        assert served.status_code == 200, served.text
        assert served.json()["tickets"]


def test_no_token_is_a_plain_401_and_does_not_count_as_a_wrong_one(server: Server) -> None:
    api = f"{server.url}/api/v1"
    without = [{}, {"Authorization": ""}, {"Authorization": "Bearer"}, {"Authorization": "Basic eDp5"}]
    for headers in without * 5:
        answer = httpx.get(f"{api}/tickets", headers=headers)
        assert answer.status_code == 401
        assert "Authorization: Bearer TOKEN" in answer.json()["detail"]
    wrong = httpx.get(f"{api}/tickets", headers=WRONG)
    assert wrong.status_code == 401
    assert "wrong or was revoked" in wrong.json()["detail"]


def test_x_forwarded_for_names_no_client_unless_a_trusted_proxy_sends_it(server: Server) -> None:
    api = f"{server.url}/api/v1"
    codes = [
        httpx.get(f"{api}/tickets", headers={**WRONG, "X-Forwarded-For": f"10.0.0.{n}"}).status_code
        for n in range(11)
    ]
    assert codes[-1] == 429  # a new made-up address each time did not dodge the limit


def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(tmp_path: Path) -> None:
    with demo_server(tmp_path, options=("--trusted-proxy", "127.0.0.1")) as server:
        api = f"{server.url}/api/v1"
        assert lock_out(api, {"X-Forwarded-For": "203.0.113.7"})[-1] == 429
        other = httpx.get(f"{api}/tickets", headers={**WRONG, "X-Forwarded-For": "198.51.100.2"})
        assert other.status_code == 401
        good = {"Authorization": f"Bearer {server.token('Dewi', 'dewi@toko.example')}"}
        same = httpx.get(f"{api}/me", headers={**good, "X-Forwarded-For": "203.0.113.7"})
        assert same.status_code == 200


def test_serve_refuses_a_trusted_proxy_that_is_no_address(tmp_path: Path) -> None:
    server = Server(tmp_path, options=("--trusted-proxy", "proxy.example"))
    with pytest.raises(AssertionError, match="not an IP address or network"):
        server.start()


async def test_a_revoked_token_is_refused_not_taken_for_a_server_away(server: Server) -> None:
    store = await open_store(server.url, token=server.token("Budi", "budi@toko.example"))
    assert isinstance(store, HttpStore)
    try:
        server.cli("agent", "revoke", "budi@toko.example")
        for _ in range(2):  # the 401s, then the 429s once the address has sent too many
            with pytest.raises(TokenRefused, match="revoked or is wrong") as refused:
                await store.get_ticket(1)
            assert not isinstance(refused.value, StoreUnavailable)
            assert "cs-tui agent token" in str(refused.value)
            await asyncio.to_thread(lock_out, f"{server.url}/api/v1")

        async def first_event() -> Event:
            async with aclosing(store.events(0)) as events:  # type: ignore[type-var]
                async for event in events:
                    return event
            raise AssertionError("the stream ended")

        with pytest.raises(TokenRefused):
            await asyncio.wait_for(first_event(), 15)  # not retried for ever
    finally:
        await store.close()


async def test_the_outbox_stops_on_a_revoked_token_rather_than_wait_for_ever(
    server: Server, tmp_path: Path
) -> None:
    inner = await open_store(server.url, token=server.token("Budi", "budi@toko.example"))
    assert isinstance(inner, HttpStore)
    outbox = Outbox(tmp_path / "outbox.jsonl", inner.agent.id)
    reply = NewMessage(str(uuid.uuid4()), "Paketnya sudah dikirim.")
    outbox.keep(Waiting(reply.client_id, 1, inner.agent.id, utcnow(), message=reply))
    store = OutboxStore(inner, outbox, retry_s=0.2)
    try:
        server.cli("agent", "revoke", "budi@toko.example")
        await asyncio.to_thread(lock_out, f"{server.url}/api/v1")
        delivery = await store.deliver()
        assert not delivery.offline
        assert delivery.waiting == 0
        [refusal] = delivery.refused
        assert isinstance(refusal.error, TokenRefused)
        assert "cs-tui agent token" in str(refusal.error)
    finally:
        await store.close()


async def test_an_open_event_stream_ends_soon_after_its_token_is_revoked(server: Server) -> None:
    budi = {"Authorization": f"Bearer {server.token('Budi', 'budi@toko.example')}"}
    sari = {"Authorization": f"Bearer {server.token('Sari', 'sari@toko.example')}"}
    api = f"{server.url}/api/v1"
    async with httpx.AsyncClient(base_url=api, timeout=30) as client:
        async with (
            client.stream("GET", "/events", headers=budi) as revoked,
            client.stream("GET", "/events", headers=sari) as kept,
        ):
            assert (revoked.status_code, kept.status_code) == (200, 200)
            await asyncio.to_thread(server.cli, "agent", "revoke", "budi@toko.example")
            async with asyncio.timeout(15):  # it ends, rather than streams on
                said = [line async for line in revoked.aiter_lines()]
            assert any("revoked" in line for line in said)

            note = {"client_id": str(uuid.uuid4()), "body": "Masih di sini", "internal": True}
            assert (await client.post("/tickets/1/messages", json=note, headers=sari)).status_code == 201
            async with asyncio.timeout(15):  # the other agent's stream goes on
                async for line in kept.aiter_lines():
                    if line.startswith("event: message"):
                        break
        assert (await client.get("/events/last", headers=budi)).status_code == 401


async def test_a_running_tui_says_when_its_token_is_revoked(server: Server, tmp_path: Path) -> None:
    store = await open_store(server.url, token=server.token("Budi", "budi@toko.example"))
    assert isinstance(store, HttpStore)
    app = HelpdeskApp(store, store.agent, Config(undo_seconds=0, path=tmp_path / "config.toml"))
    try:
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            await every_open_ticket(pilot)
            await asyncio.to_thread(server.cli, "agent", "revoke", "budi@toko.example")
            await until(lambda: any("revoked or is wrong" in text for text in notices(app)), pilot)
            told = next(text for text in notices(app) if "revoked" in text)
            assert "cs-tui agent token" in told
            assert not any("ctrl+r" in text for text in notices(app))
    finally:
        await store.close()
