"""`cs-tui serve` as a process on a loopback port: sign-in, errors, the API document."""

from __future__ import annotations

import httpx

from .conftest import Server

PROBLEM = "application/problem+json"


def test_health_needs_no_token(server: Server) -> None:
    answer = httpx.get(f"{server.url}/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_every_api_call_needs_a_valid_live_token(server: Server) -> None:
    token = server.cli("agent", "add", "Dewi Lestari", "--email", "dewi@toko.example").strip()
    api = f"{server.url}/api/v1"
    for headers in ({}, {"Authorization": "Bearer cst_wrong"}, {"Authorization": token}):
        answer = httpx.get(f"{api}/tickets", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert "cs-tui agent add" in answer.json()["detail"]

    signed = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{api}/me", headers=signed).json()
    assert me["email"] == "dewi@toko.example"
    page = httpx.get(f"{api}/tickets", params={"q": "status:new,open", "limit": 5}, headers=signed).json()
    assert 0 < len(page["tickets"]) <= 5
    first = page["tickets"][0]
    assert httpx.get(f"{api}/tickets/{first['id']}", headers=signed).json()["subject"] == first["subject"]
    messages = httpx.get(f"{api}/tickets/{first['id']}/messages", headers=signed).json()
    assert messages["messages"]

    server.cli("agent", "revoke", "dewi@toko.example")
    assert httpx.get(f"{api}/tickets", headers=signed).status_code == 401


def test_errors_are_problems_that_say_what_to_do(server: Server) -> None:
    token = server.cli("agent", "add", "Dewi Lestari", "--email", "dewi@toko.example").strip()
    signed = {"Authorization": f"Bearer {token}"}
    api = f"{server.url}/api/v1"
    missing = httpx.get(f"{api}/tickets/999999", headers=signed)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith(PROBLEM)
    bad_query = httpx.get(f"{api}/tickets", params={"q": "status:nope"}, headers=signed)
    assert bad_query.status_code == 400
    assert "nope" in bad_query.json()["detail"]
    for huge in (" ".join(f"w{n}" for n in range(300)), " ".join(f"-w{n}" for n in range(300))):
        too_long = httpx.get(f"{api}/tickets", params={"q": huge}, headers=signed)
        assert too_long.status_code == 400, too_long.text
        assert "at most 64 terms" in too_long.json()["detail"]
    bad_limit = httpx.get(f"{api}/tickets", params={"limit": 0}, headers=signed)
    assert bad_limit.status_code == 422


def test_wrong_tokens_from_one_address_are_slowed_down(server: Server) -> None:
    api = f"{server.url}/api/v1"
    codes = [
        httpx.get(f"{api}/tickets", headers={"Authorization": "Bearer cst_guess"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[-1] == 429
    limited = httpx.get(f"{api}/tickets", headers={"Authorization": "Bearer cst_guess"})
    assert int(limited.headers["retry-after"]) > 0


def test_the_api_is_described_by_openapi(server: Server) -> None:
    document = httpx.get(f"{server.url}/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/tickets", "/api/v1/tickets/{ticket_id}", "/api/v1/tickets/{ticket_id}/messages"} <= set(
        document["paths"]
    )


def signed(server: Server, name: str, email: str, role: str = "agent") -> httpx.Client:
    token = server.cli("agent", "add", name, "--email", email, "--role", role).strip()
    return httpx.Client(base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"})


def test_tickets_and_replies_are_written_once_as_the_signed_in_agent(server: Server) -> None:
    dewi = signed(server, "Dewi Lestari", "dewi@toko.example")
    new = {
        "subject": "Paket belum sampai",
        "customer_email": "budi@example.com",
        "body": "Halo",
        "client_id": "t-1",
    }
    created = dewi.post("/tickets", json=new)
    assert created.status_code == 201
    ticket = created.json()
    assert dewi.post("/tickets", json=new).json()["id"] == ticket["id"]

    reply = {"client_id": "m-1", "body": "Halo Budi, kami cek ya."}
    for _ in range(2):
        assert dewi.post(f"/tickets/{ticket['id']}/messages", json=reply).status_code == 201
    thread = dewi.get(f"/tickets/{ticket['id']}/messages").json()["messages"]
    assert [m["body"] for m in thread] == ["Halo", "Halo Budi, kami cek ya."]
    assert thread[-1]["author_email"] == "dewi@toko.example"

    as_customer = {"client_id": "m-2", "body": "Saya pelanggan", "author_kind": "customer"}
    refused = dewi.post(f"/tickets/{ticket['id']}/messages", json=as_customer)
    assert refused.status_code == 403
    admin = signed(server, "Sari", "sari@toko.example", role="admin")
    assert admin.post(f"/tickets/{ticket['id']}/messages", json=as_customer).status_code == 201


def test_a_change_names_the_version_it_saw(server: Server) -> None:
    dewi = signed(server, "Dewi Lestari", "dewi@toko.example")
    me = dewi.get("/me").json()
    ticket = dewi.get("/tickets", params={"q": "status:new,open", "limit": 1}).json()["tickets"][0]
    changed = dewi.patch(
        f"/tickets/{ticket['id']}",
        json={"expected_version": ticket["version"], "status": "pending", "assignee_id": me["id"]},
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["status"], changed.json()["assignee"]["id"]) == ("pending", me["id"])

    stale = dewi.patch(
        f"/tickets/{ticket['id']}", json={"expected_version": ticket["version"], "priority": "urgent"}
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"].startswith(PROBLEM)
    assert stale.json()["current"]["status"] == "pending"

    current = changed.json()["version"]
    unassigned = dewi.patch(
        f"/tickets/{ticket['id']}", json={"expected_version": current, "assignee_id": None}
    )
    assert unassigned.json()["assignee"] is None
    unknown = dewi.patch(f"/tickets/{ticket['id']}", json={"expected_version": current, "colour": "red"})
    assert unknown.status_code == 422


def test_drafts_are_each_agents_own(server: Server) -> None:
    dewi = signed(server, "Dewi Lestari", "dewi@toko.example")
    rudi = signed(server, "Rudi", "rudi@toko.example")
    ticket = dewi.get("/tickets", params={"limit": 1}).json()["tickets"][0]
    saved = dewi.put(f"/drafts/{ticket['id']}", json={"body": "Sebentar ya", "kind": "note"})
    assert saved.status_code == 200
    assert dewi.get(f"/drafts/{ticket['id']}").json()["body"] == "Sebentar ya"
    assert rudi.get(f"/drafts/{ticket['id']}").status_code == 404
    assert dewi.delete(f"/drafts/{ticket['id']}").status_code == 204
    assert dewi.get(f"/drafts/{ticket['id']}").status_code == 404
