"""The hostile-input probe through the team server's API, as any agent's token can send
it: escapes in every field are cleaned before the store, what is past a limit is a
problem that names the limit, and JSON nested to blow a parser's stack is a problem,
never a 500. The server goes on serving after each."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cs_tui.domain import limits

from .conftest import Server

PROBLEM = "application/problem+json"
HOSTILE = "\x1b]0;PWNED\x07\x1b]52;c;aGVsbG8=\x07\x9b2J\u202e\x00"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\x00")


@pytest.fixture
def dewi(server: Server) -> Iterator[httpx.Client]:
    token = server.token("Dewi", "dewi@toko.example")
    with httpx.Client(
        base_url=f"{server.url}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
    ) as client:
        yield client


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def assert_clean(answer: httpx.Response) -> None:
    dirty = [text for text in strings(answer.json()) if any(bad in text for bad in FORBIDDEN)]
    assert not dirty, dirty


def new_ticket(**fields: Any) -> dict[str, Any]:
    return {
        "subject": "Pesanan",
        "customer_email": "budi@example.com",
        "customer_name": "Budi",
        "body": "Halo",
        **fields,
    }


def test_escapes_in_every_field_of_a_new_ticket_and_a_tag_change_are_cleaned(dewi: httpx.Client) -> None:
    made = dewi.post(
        "/tickets",
        json=new_ticket(
            subject=f"Pesanan {HOSTILE}belum sampai",
            customer_name=f"Budi {HOSTILE}",
            body=f"Halo {HOSTILE}kak",
            tags=[f"vip{HOSTILE}", HOSTILE],
        ),
    )
    assert made.status_code == 201, made.text
    ticket = made.json()
    changed = dewi.patch(
        f"/tickets/{ticket['id']}",
        json={"expected_version": ticket["version"], "add_tags": [f"refund{HOSTILE}"]},
    )
    assert changed.status_code == 200, changed.text
    assert sorted(changed.json()["tags"]) == ["refund", "vip"]
    for answer in (
        changed,
        dewi.get(f"/tickets/{ticket['id']}"),
        dewi.get(f"/tickets/{ticket['id']}/messages"),
    ):
        assert_clean(answer)


@pytest.mark.parametrize(
    ("fields", "limit"),
    [
        ({"subject": "s" * (limits.SUBJECT_CHARS + 1)}, limits.SUBJECT_CHARS),
        ({"body": "b" * (limits.BODY_CHARS + 1)}, limits.BODY_CHARS),
        ({"tags": [f"t{n}" for n in range(limits.TAGS_PER_TICKET + 1)]}, limits.TAGS_PER_TICKET),
        ({"customer_name": "n" * (limits.NAME_CHARS + 1)}, limits.NAME_CHARS),
    ],
    ids=["subject", "body", "tags", "name"],
)
def test_a_field_past_its_limit_is_a_problem_naming_the_limit(
    dewi: httpx.Client, fields: dict[str, Any], limit: int
) -> None:
    before = dewi.get("/tickets").json()["total"]
    answer = dewi.post("/tickets", json=new_ticket(**fields))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert f"the limit is {limit:,}" in answer.json()["detail"]
    assert dewi.get("/tickets").json()["total"] == before


@pytest.mark.parametrize("path", ["/tickets", "/tickets/1/messages", "/drafts/1"])
def test_json_nested_a_thousand_deep_is_a_problem_not_a_crash(dewi: httpx.Client, path: str) -> None:
    deep = "[" * 1000 + "]" * 1000
    body = json.dumps(new_ticket(client_id=str(uuid.uuid4())))[:-1] + f', "extra": {deep}}}'
    method = dewi.put if path.startswith("/drafts") else dewi.post
    answer = method(path, content=body, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert dewi.get("/me").status_code == 200
