"""Agents, canned responses and drafts."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from cs_tui.domain.models import (
    Agent,
    CannedActions,
    CannedResponse,
    Draft,
    DraftKind,
    Priority,
    Role,
    Status,
)
from cs_tui.store import InvalidInput, NotFound, Store
from cs_tui.store.http import HttpStore

from .helpers import open_ticket

# Agents


async def test_an_agent_reads_back_as_created(store: Store) -> None:
    ana = await store.create_agent("Ana Wijaya", "Ana@Tokoku.example", Role.ADMIN)
    assert (ana.name, ana.email, ana.role, ana.active) == (
        "Ana Wijaya",
        "ana@tokoku.example",
        Role.ADMIN,
        True,
    )
    assert await store.get_agent(ana.id) == ana
    assert await store.find_agent("ana@tokoku.example") == ana
    assert await store.find_agent("ANA@tokoku.example") == ana
    assert await store.find_agent("Ana Wijaya") == ana
    assert await store.find_agent("nobody@tokoku.example") is None


async def test_agents_are_listed(store: Store) -> None:
    rudi = await store.create_agent("Rudi Hartono", "rudi@tokoku.example")
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    assert sorted(await store.list_agents(), key=lambda a: a.name) == [ana, rudi]


async def test_a_second_agent_with_one_email_is_refused(store: Store) -> None:
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    with pytest.raises(InvalidInput):
        await store.create_agent("Ana Lain", "ANA@tokoku.example")
    assert await store.list_agents() == [ana]


@pytest.mark.parametrize(("name", "email"), [("", "ana@tokoku.example"), ("Ana", "ana"), ("  ", "  ")])
async def test_an_agent_needs_a_name_and_an_email(store: Store, name: str, email: str) -> None:
    with pytest.raises(InvalidInput):
        await store.create_agent(name, email)
    assert await store.list_agents() == []


async def test_ensure_agent_creates_once(store: Store) -> None:
    first = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
    again = await store.ensure_agent("Ana W.", "ANA@tokoku.example")
    racing = await asyncio.gather(*(store.ensure_agent("Rudi", "rudi@tokoku.example") for _ in range(5)))
    assert again == first
    assert len({a.id for a in racing}) == 1
    assert len(await store.list_agents()) == 2


async def test_a_missing_agent_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.get_agent(4242)


# Canned responses


def canned(title: str, body: str = "Halo {{customer.first_name}}, terima kasih.") -> CannedResponse:
    return CannedResponse(None, title, body)


async def test_a_canned_response_reads_back_as_saved(store: Store) -> None:
    saved = await store.save_canned(
        CannedResponse(
            None,
            "Refund diproses",
            "Halo {{ customer.first_name }},\nrefund untuk {{ticket.id}} sudah kami proses.\n{{agent.name}}",
            shortcut="rf",
            tags=("refund",),
            language="id",
            actions=CannedActions(status=Status.PENDING, priority=Priority.HIGH, add_tags=("refund",)),
        ),
        actor_id=None,
    )
    assert saved.id is not None
    assert saved.usage_count == 0
    assert saved.title == "Refund diproses"
    assert saved.body.startswith("Halo {{ customer.first_name }},\n")
    assert (saved.shortcut, saved.tags, saved.language) == ("rf", ("refund",), "id")
    assert saved.actions == CannedActions(status=Status.PENDING, priority=Priority.HIGH, add_tags=("refund",))
    assert await store.get_canned(saved.id) == saved
    assert await store.list_canned() == [saved]


async def test_a_canned_response_is_edited_in_place(store: Store) -> None:
    saved = await store.save_canned(canned("Salam"), actor_id=None)
    edited = await store.save_canned(
        CannedResponse(saved.id, "Salam pembuka", "Selamat pagi {{customer.name}}"), actor_id=None
    )
    assert edited.id == saved.id
    assert (edited.title, edited.body) == ("Salam pembuka", "Selamat pagi {{customer.name}}")
    assert await store.list_canned() == [edited]


async def test_a_canned_response_is_deleted(store: Store) -> None:
    kept = await store.save_canned(canned("Salam"), actor_id=None)
    gone = await store.save_canned(canned("Penutup"), actor_id=None)
    assert gone.id is not None
    await store.delete_canned(gone.id, actor_id=None)
    assert await store.list_canned() == [kept]
    with pytest.raises(NotFound):
        await store.get_canned(gone.id)
    with pytest.raises(NotFound):
        await store.delete_canned(gone.id, actor_id=None)
    with pytest.raises(NotFound):
        await store.save_canned(CannedResponse(gone.id, "Penutup", "Sampai jumpa"), actor_id=None)


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("Salam", "Halo {{customer.nickname}}"),
        ("Salam", "Halo {{customer.name}"),
        ("Salam", "   "),
        ("  ", "Halo"),
    ],
    ids=["unknown-placeholder", "unclosed-placeholder", "empty-body", "empty-title"],
)
async def test_a_canned_response_that_cannot_work_is_refused(store: Store, title: str, body: str) -> None:
    with pytest.raises(InvalidInput):
        await store.save_canned(CannedResponse(None, title, body), actor_id=None)
    assert await store.list_canned() == []


async def test_two_canned_responses_cannot_share_a_title(store: Store) -> None:
    first = await store.save_canned(canned("Salam"), actor_id=None)
    other = await store.save_canned(canned("Penutup"), actor_id=None)
    assert other.id is not None
    with pytest.raises(InvalidInput):
        await store.save_canned(canned("SALAM", "Halo lagi"), actor_id=None)
    with pytest.raises(InvalidInput):
        await store.save_canned(CannedResponse(other.id, "salam", "Halo lagi"), actor_id=None)
    assert await store.get_canned(other.id) == other
    assert first.id is not None
    assert await store.get_canned(first.id) == first


async def test_uses_are_counted_and_the_most_used_come_first(store: Store) -> None:
    saved = {
        title: await store.save_canned(canned(title), actor_id=None)
        for title in ("Alamat", "Berterima kasih", "Cek resi", "Diproses")
    }
    uses = {"Alamat": 1, "Berterima kasih": 0, "Cek resi": 3, "Diproses": 2}
    for title, count in uses.items():
        canned_id = saved[title].id
        assert canned_id is not None
        for _ in range(count):
            await store.record_canned_use(canned_id)

    listed = await store.list_canned()
    assert [c.title for c in listed] == ["Cek resi", "Diproses", "Alamat", "Berterima kasih"]
    assert {c.title: c.usage_count for c in listed} == uses


async def test_concurrent_uses_are_all_counted(store: Store) -> None:
    saved = await store.save_canned(canned("Salam"), actor_id=None)
    assert saved.id is not None
    canned_id = saved.id
    await asyncio.gather(*(store.record_canned_use(canned_id) for _ in range(10)))
    assert (await store.get_canned(canned_id)).usage_count == 10


# Drafts


@pytest.fixture
async def agents(store: Store) -> tuple[Agent, Agent]:
    return (
        await store.create_agent("Ana Wijaya", "ana@tokoku.example"),
        await store.create_agent("Rudi Hartono", "rudi@tokoku.example"),
    )


async def test_a_draft_is_kept_until_deleted(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    ticket = await open_ticket(store)
    assert await store.get_draft(ana.id, ticket.id) is None

    saved = await store.save_draft(Draft(ana.id, ticket.id, "Halo Kak, pesanan"))
    assert saved.updated_at is not None
    found = await store.get_draft(ana.id, ticket.id)
    assert found is not None
    assert (found.body, found.kind) == ("Halo Kak, pesanan", DraftKind.REPLY)

    await store.save_draft(Draft(ana.id, ticket.id, "Cek gudang dulu", DraftKind.NOTE))
    found = await store.get_draft(ana.id, ticket.id)
    assert found is not None
    assert (found.body, found.kind) == ("Cek gudang dulu", DraftKind.NOTE)

    await store.delete_draft(ana.id, ticket.id)
    assert await store.get_draft(ana.id, ticket.id) is None
    await store.delete_draft(ana.id, ticket.id)  # deleting again is harmless


async def test_drafts_are_per_agent_and_per_ticket(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, rudi = agents
    first = await open_ticket(store, "Satu")
    second = await open_ticket(store, "Dua")
    await store.save_draft(Draft(ana.id, first.id, "ana satu"))
    await store.save_draft(Draft(ana.id, second.id, "ana dua"))
    await store.save_draft(Draft(rudi.id, first.id, "rudi satu"))

    await store.delete_draft(ana.id, second.id)

    bodies = {}
    for agent in (ana, rudi):
        for ticket in (first, second):
            draft = await store.get_draft(agent.id, ticket.id)
            bodies[agent.name, ticket.subject] = draft.body if draft else None
    assert bodies == {
        ("Ana Wijaya", "Satu"): "ana satu",
        ("Ana Wijaya", "Dua"): None,
        ("Rudi Hartono", "Satu"): "rudi satu",
        ("Rudi Hartono", "Dua"): None,
    }


async def test_a_draft_survives_reopening_the_store(store: Store, second_store: Store) -> None:
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    ticket = await open_ticket(store)
    await store.save_draft(Draft(ana.id, ticket.id, "Sebelum SSH putus"))
    found = await second_store.get_draft(ana.id, ticket.id)
    assert found is not None
    assert found.body == "Sebelum SSH putus"


async def test_a_draft_for_a_missing_ticket_is_not_found(store: Store, agents: tuple[Agent, Agent]) -> None:
    ana, _ = agents
    with pytest.raises(NotFound):
        await store.save_draft(Draft(ana.id, 4242, "Halo"))


async def test_a_write_cancelled_at_any_moment_leaves_the_store_writable(store: Store) -> None:
    # A screen replaces a job that is still writing (the agent opens the next ticket
    # while the last one is being marked read): the store must not be left stuck.
    ana = await store.create_agent("Ana Wijaya", "ana@tokoku.example")
    ticket = await open_ticket(store)
    for n, delay in enumerate([0, 0, 0.0001, 0.0003, 0.0007, 0.001, 0.002, 0.005]):
        writing = asyncio.ensure_future(
            store.save_draft(Draft(ana.id, ticket.id, f"cancelled {n}", DraftKind.NOTE))
        )
        await asyncio.sleep(delay)
        writing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await writing
        saved = await asyncio.wait_for(
            store.save_draft(Draft(ana.id, ticket.id, f"draft {n}", DraftKind.REPLY)), timeout=5
        )
        assert saved.body == f"draft {n}"
        draft = await store.get_draft(ana.id, ticket.id)
        assert draft is not None
        if isinstance(store, HttpStore):
            # A request given up on may still be made by the server, after later ones
            # (this one's, or an earlier round's under load): over a network the store
            # holds one of them, and goes on.
            assert draft.body in (f"draft {n}", *(f"cancelled {k}" for k in range(n + 1)))
        else:
            assert draft.body == f"draft {n}"
