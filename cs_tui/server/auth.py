"""Who a request is: the agent its Bearer token belongs to, and who it acts as.

An admin token may act on behalf of another agent, or of the helpdesk itself
(the channels: email and web intake), by saying so in `X-On-Behalf-Of`; any
other token acts as its own agent and nobody else. The server's service token,
when it has one, signs in as the helpdesk itself, with an admin's rights.
"""

from __future__ import annotations

import hmac
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from cs_tui.domain.models import Agent, Role
from cs_tui.domain.tokens import token_hash
from cs_tui.server.problems import Problem
from cs_tui.store.base import NotFound, Store

ON_BEHALF = "X-On-Behalf-Of"
HELPDESK = "helpdesk"
"""`X-On-Behalf-Of: helpdesk`: a write by the helpdesk itself, as a channel makes."""
HELPDESK_AGENT = Agent(0, "helpdesk", "", Role.ADMIN, has_token=True)
"""Who the service token signs in as: the helpdesk itself, with an admin's rights."""
FAILED_LOGINS_ALLOWED = 10
"""Failed sign-ins a client address may make in FAILED_LOGIN_WINDOW_S before it waits."""
FAILED_LOGIN_WINDOW_S = 60.0


class FailedLogins:
    """Wrong tokens per client address in a sliding window."""

    KEPT_ADDRESSES = 10_000
    """Past this many addresses, those whose failures have all aged out are forgotten."""

    def __init__(self, allowed: int = FAILED_LOGINS_ALLOWED, window_s: float = FAILED_LOGIN_WINDOW_S) -> None:
        self.allowed, self.window_s = allowed, window_s
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def wait_s(self, client: str) -> float:
        """Seconds before a wrong token from this client is answered again (0: now)."""
        failures = self._failures.get(client)
        if not failures:
            return 0.0
        now = time.monotonic()
        while failures and failures[0] <= now - self.window_s:
            failures.popleft()
        if not failures:
            del self._failures[client]
        if len(failures) < self.allowed:
            return 0.0
        return failures[0] + self.window_s - now

    def add(self, client: str) -> None:
        if len(self._failures) >= self.KEPT_ADDRESSES:
            for address in list(self._failures):
                self.wait_s(address)
        self._failures[client].append(time.monotonic())


def client_address(request: Request) -> str:
    """The client's address: the peer's, or the one a trusted proxy names in
    X-Forwarded-For (uvicorn reads that header only from `cs-tui serve --trusted-proxy`)."""
    return request.client.host if request.client else "unknown"


async def still_signed_in(request: Request) -> bool:
    """Whether the token the request signed in with still works (the service token
    always does: only a restart changes it)."""
    said: str | None = getattr(request.state, "token_hash", None)
    if said is None:
        return True
    store: Store = request.app.state.store
    return await store.agent_for_token(said) is not None


async def signed_in(request: Request) -> Agent:
    """The agent whose token the request carries. No token: 401. A wrong or revoked
    one: 401, and 429 once its address has sent too many; a good token is served
    whatever others from its address sent, so one stale token does not lock out an
    office behind one address."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Problem(
            401,
            "Not signed in",
            "Send Authorization: Bearer TOKEN, with a token from `cs-tui agent add` or `cs-tui agent token`.",
            {"WWW-Authenticate": "Bearer"},
        )
    said = token_hash(token)
    service: str | None = request.app.state.service_token_hash
    found: Agent | None
    if service is not None and hmac.compare_digest(said, service):
        found = HELPDESK_AGENT
    else:
        store: Store = request.app.state.store
        found = await store.agent_for_token(said)
    if found is not None:
        request.state.agent = found
        request.state.token_hash = None if found is HELPDESK_AGENT else said
        return found
    failed_logins: FailedLogins = request.app.state.failed_logins
    client = client_address(request)
    wait = failed_logins.wait_s(client)
    if wait > 0:
        raise Problem(
            429,
            "Too many wrong tokens",
            f"Too many wrong tokens from {client}; this token is wrong or was revoked: ask an admin "
            f"for a new one (`cs-tui agent token YOU`), or try again in {int(wait) + 1} s.",
            {"Retry-After": str(int(wait) + 1)},
        )
    failed_logins.add(client)
    raise Problem(
        401,
        "Token refused",
        "This token is wrong or was revoked: ask an admin for a new one "
        "(`cs-tui agent token YOU`, or `cs-tui agent add` for a new agent).",
        {"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


Signed = Annotated[Agent, Depends(signed_in)]


async def admin(agent: Signed) -> Agent:
    """The signed-in agent, who must be an admin (403 otherwise)."""
    if agent.role is not Role.ADMIN:
        raise Problem(403, "Admins only", f"{agent.name} is not an admin; ask an admin to do this.")
    return agent


Admin = Annotated[Agent, Depends(admin)]


@dataclass(frozen=True, slots=True)
class Caller:
    agent: Agent
    """Whose token it is."""
    actor_id: int | None
    """Who the request acts as: the token's agent, or (admins only) whom it names; None is the helpdesk."""

    def as_agent(self) -> int:
        """The agent acting, for what only an agent has (drafts, read marks, presence)."""
        if self.actor_id is None:
            raise Problem(
                422, "Needs an agent", "Drafts, read marks and presence belong to an agent, not the helpdesk."
            )
        return self.actor_id


async def calling(
    request: Request,
    agent: Signed,
    on_behalf_of: Annotated[
        str | None,
        Header(
            alias=ON_BEHALF,
            description="admins only: an agent id to act as, or `helpdesk` to act as the helpdesk itself",
        ),
    ] = None,
) -> Caller:
    own = None if agent is HELPDESK_AGENT else agent.id
    if on_behalf_of is None or on_behalf_of == str(own):
        return Caller(agent, own)
    if agent.role is not Role.ADMIN:
        raise Problem(
            403, "Not allowed", f"Only an admin token may use {ON_BEHALF}; yours acts as {agent.name}."
        )
    if on_behalf_of == HELPDESK:
        return Caller(agent, None)
    if not on_behalf_of.isdigit():
        raise Problem(
            400, f"Bad {ON_BEHALF}", f"{ON_BEHALF} is an agent id or `{HELPDESK}`, not {on_behalf_of!r}."
        )
    store: Store = request.app.state.store
    try:
        other = await store.get_agent(int(on_behalf_of))
    except NotFound:
        raise Problem(
            422, "No such agent", f"{ON_BEHALF} names agent {on_behalf_of}, who does not exist."
        ) from None
    return Caller(agent, other.id)


Calling = Annotated[Caller, Depends(calling)]
