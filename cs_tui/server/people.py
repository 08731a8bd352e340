"""Agents, canned responses, and what is each agent's own: drafts, read marks, presence."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, Field

from cs_tui.domain.chat import VisitorState
from cs_tui.domain.messaging import WhatsAppTemplate
from cs_tui.domain.models import Agent, CannedResponse, Draft, Presence
from cs_tui.server.auth import Admin, Calling, Signed
from cs_tui.server.bodies import (
    MAX_ID,
    AgentSpec,
    DraftText,
    NewAgent,
    PathId,
    ReadUpTo,
    TokenHash,
    Whereabouts,
)
from cs_tui.server.problems import Problem
from cs_tui.server.tickets import Stored

router = APIRouter()

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


def _sha256(token_hash: str | None) -> str | None:
    """`token_hash` when it is a SHA-256 in hex (as `cs-tui agent token` sends), else a 422:
    anything else (the token itself, say) would be a token nobody can sign in with."""
    if token_hash is None or _SHA256_HEX.fullmatch(token_hash.lower()):
        return token_hash.lower() if token_hash else token_hash
    raise Problem(
        422,
        "Not a SHA-256",
        "token_hash must be the token's SHA-256 as 64 hex digits (e.g. from `sha256sum`), "
        "never the token itself; or null to revoke.",
        field="token_hash",
    )


@router.get("/me", tags=["agents"])
async def me(agent: Signed) -> Agent:
    """Who your token is."""
    return agent


@router.get("/agents", tags=["agents"])
async def list_agents(store: Stored, agent: Signed) -> list[Agent]:
    return await store.list_agents()


@router.get("/agents/find", tags=["agents"])
async def find_agent(
    who: Annotated[str, Query(description="an email or a name")], store: Stored, agent: Signed
) -> Agent:
    found = await store.find_agent(who)
    if found is None:
        raise Problem(
            404, "Not found", f"No agent has the email or name {who!r}; `cs-tui agent list` shows them."
        )
    return found


@router.get("/agents/{agent_id}", tags=["agents"])
async def get_agent(agent_id: PathId, store: Stored, agent: Signed) -> Agent:
    return await store.get_agent(agent_id)


@router.post("/agents", status_code=201, tags=["agents"])
async def create_agent(new: NewAgent, store: Stored, admin: Admin) -> Agent:
    """Add an agent. To give them a token, make one, keep it, and send only its SHA-256."""
    return await store.create_agent(new.name, new.email, new.role, token_hash=_sha256(new.token_hash))


@router.post("/agents/ensure", tags=["agents"])
async def ensure_agent(spec: AgentSpec, store: Stored, admin: Admin) -> Agent:
    """The agent with this email, added on first use."""
    return await store.ensure_agent(spec.name, spec.email)


@router.put("/agents/{agent_id}/token", tags=["agents"])
async def set_agent_token(agent_id: PathId, token: TokenHash, store: Stored, admin: Admin) -> Agent:
    """A new token (by its hash) or none: the old one stops working at once."""
    return await store.set_agent_token(agent_id, _sha256(token.token_hash))


@router.post("/agents/by-token", tags=["agents"])
async def agent_for_token(token: TokenHash, store: Stored, admin: Admin) -> Agent:
    found = await store.agent_for_token(token.token_hash or "")
    if found is None:
        raise Problem(404, "Not found", "No active agent has that token.")
    return found


@router.get("/canned", tags=["canned"])
async def list_canned(store: Stored, agent: Signed) -> list[CannedResponse]:
    """Every canned response, most used first."""
    return await store.list_canned()


@router.get("/canned/{canned_id}", tags=["canned"])
async def get_canned(canned_id: PathId, store: Stored, agent: Signed) -> CannedResponse:
    return await store.get_canned(canned_id)


@router.post("/canned", status_code=201, tags=["canned"])
async def create_canned(
    canned: CannedResponse, store: Stored, admin: Admin, caller: Calling
) -> CannedResponse:
    """A new shared canned response (admins only)."""
    return await store.save_canned(replace(canned, id=None), actor_id=caller.actor_id)


@router.put("/canned/{canned_id}", tags=["canned"])
async def update_canned(
    canned_id: PathId, canned: CannedResponse, store: Stored, admin: Admin, caller: Calling
) -> CannedResponse:
    return await store.save_canned(replace(canned, id=canned_id), actor_id=caller.actor_id)


@router.delete("/canned/{canned_id}", status_code=204, tags=["canned"])
async def delete_canned(canned_id: PathId, store: Stored, admin: Admin, caller: Calling) -> None:
    await store.delete_canned(canned_id, actor_id=caller.actor_id)


@router.post("/canned/{canned_id}/uses", status_code=204, tags=["canned"])
async def record_canned_use(canned_id: PathId, store: Stored, agent: Signed) -> None:
    await store.record_canned_use(canned_id)


@router.get("/drafts/{ticket_id}", tags=["drafts"])
async def get_draft(ticket_id: PathId, store: Stored, caller: Calling) -> Draft:
    draft = await store.get_draft(caller.as_agent(), ticket_id)
    if draft is None:
        raise Problem(404, "Not found", f"No draft for ticket #{ticket_id}.")
    return draft


@router.put("/drafts/{ticket_id}", tags=["drafts"])
async def save_draft(ticket_id: PathId, draft: DraftText, store: Stored, caller: Calling) -> Draft:
    """Your draft for a ticket; only ever your own."""
    return await store.save_draft(Draft(caller.as_agent(), ticket_id, draft.body, draft.kind))


@router.delete("/drafts/{ticket_id}", status_code=204, tags=["drafts"])
async def delete_draft(ticket_id: PathId, store: Stored, caller: Calling) -> None:
    await store.delete_draft(caller.as_agent(), ticket_id)


@router.put("/reads/{ticket_id}", status_code=204, tags=["reads"])
async def mark_read(ticket_id: PathId, read: ReadUpTo, store: Stored, caller: Calling) -> None:
    """You have seen the ticket's messages up to `message_id`, one of its messages
    (marks never move back)."""
    agent_id = caller.as_agent()
    message_id = read.message_id
    newest = (await store.get_messages(ticket_id, before=min(message_id, MAX_ID - 1) + 1, limit=1)).messages
    if not newest or newest[-1].id != message_id:
        raise Problem(
            422,
            "No such message",
            f"Ticket #{ticket_id} has no message {message_id}; mark it read up to one of its own "
            f"messages (GET /api/v1/tickets/{ticket_id}/messages lists them).",
            field="message_id",
        )
    await store.mark_read(agent_id, ticket_id, message_id)


@router.get("/unread", tags=["reads"])
async def unread_tickets(
    store: Stored,
    caller: Calling,
    ticket_id: Annotated[list[Annotated[int, Field(ge=0, le=MAX_ID)]], Query(max_length=400)],
) -> list[int]:
    """Which of these tickets have a customer message you have not seen."""
    return sorted(await store.unread_tickets(caller.as_agent(), ticket_id))


@router.put("/presence/{session}", status_code=204, tags=["presence"])
async def set_presence(session: str, where: Whereabouts, store: Stored, caller: Calling) -> None:
    """Where your session is; say it every few seconds or it drops out."""
    await store.set_presence(session, caller.as_agent(), where.ticket_id, where.activity)


@router.get("/channels/{channel}/templates", tags=["canned responses"])
async def reply_templates(channel: str, store: Stored, agent: Signed) -> list[WhatsAppTemplate]:
    """The approved templates the channel may send once a customer's window closed."""
    return list(await store.reply_templates(channel))


@router.get("/visitors", tags=["presence"])
async def visitors(
    store: Stored,
    agent: Signed,
    ticket: Annotated[list[int], Query(max_length=500, description="the chats' ticket ids")],
) -> dict[int, VisitorState]:
    """What each chat's visitor was last heard doing (tickets without one left out)."""
    return await store.visitor_states(ticket)


@router.get("/presence", tags=["presence"])
async def presence(since: AwareDatetime, store: Stored, agent: Signed) -> list[Presence]:
    """Every session heard from since `since`, and where it is."""
    return await store.presence(since)
