"""Requests a careful client never sends: over-long chunked bodies, a token in place of
its hash, read marks on messages that are not the ticket's. Each gets a problem that
says what is wrong, and changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx

from .conftest import Server

PROBLEM = "application/problem+json"
LIMIT = 16 * 1024 * 1024


def signed(server: Server, name: str, email: str, role: str = "agent") -> httpx.Client:
    token = server.token(name, email, role)
    return httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def test_a_chunked_body_over_the_limit_is_a_413(server: Server) -> None:
    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent <= LIMIT:
            yield b"x" * 65536
            sent += 65536

    with signed(server, "Sari", "sari@toko.example", "admin") as sari:
        answer = sari.post("/import", content=chunks(), headers={"Content-Type": "application/json"})
        assert answer.status_code == 413, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "16 MB" in answer.json()["detail"]
        assert sari.get("/me").status_code == 200  # the server goes on


def test_a_token_hash_must_be_a_sha256(server: Server) -> None:
    with signed(server, "Sari", "sari@toko.example", "admin") as sari:
        budi = sari.post("/agents", json={"name": "Budi", "email": "budi@toko.example"}).json()
        for wrong in ("cst_the-token-itself", "abc", "g" * 64, "a" * 63, "a" * 65):
            answer = sari.put(f"/agents/{budi['id']}/token", json={"token_hash": wrong})
            assert answer.status_code == 422, (wrong, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM)
            assert "64 hex" in answer.json()["detail"]
            assert answer.json()["field"] == "token_hash"
            made = sari.post("/agents", json={"name": "X", "email": "x@toko.example", "token_hash": wrong})
            assert made.status_code == 422, (wrong, made.text)
        assert not sari.get(f"/agents/{budi['id']}").json()["has_token"]

        token = "cst_" + "z" * 40
        given = sari.put(
            f"/agents/{budi['id']}/token", json={"token_hash": hashlib.sha256(token.encode()).hexdigest()}
        )
        assert given.status_code == 200, given.text
        me = httpx.get(f"{server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.json()["email"] == "budi@toko.example"
        assert sari.put(f"/agents/{budi['id']}/token", json={"token_hash": None}).status_code == 200


def test_a_read_mark_names_one_of_the_tickets_own_messages(server: Server) -> None:
    with signed(server, "Dewi", "dewi@toko.example") as dewi:
        first, second = dewi.get("/tickets", params={"q": "status:new,open", "limit": 2}).json()["tickets"]
        other = dewi.get(f"/tickets/{second['id']}/messages").json()["messages"][-1]["id"]
        own = dewi.get(f"/tickets/{first['id']}/messages").json()["messages"]
        for wrong in (other, 999_999_999, 2**63 - 1):
            answer = dewi.put(f"/reads/{first['id']}", json={"message_id": wrong})
            assert answer.status_code == 422, (wrong, answer.text)
            assert answer.headers["content-type"].startswith(PROBLEM)
            assert f"no message {wrong}" in answer.json()["detail"]
        assert dewi.put(f"/reads/{first['id']}", json={"message_id": own[-1]["id"]}).status_code == 204
        assert dewi.put("/reads/999999", json={"message_id": own[-1]["id"]}).status_code == 404
