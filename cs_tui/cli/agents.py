"""`cs-tui agent add/list/token/revoke`: who may sign in to `cs-tui serve`.

A token is printed once, when it is made; the store keeps only its SHA-256.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.table import Table

from cs_tui.cli.context import Context, UsageError
from cs_tui.cli.output import console, print_json, shown
from cs_tui.domain.models import Agent, Role
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.tokens import new_token, token_hash
from cs_tui.store.base import Store


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    agent = commands.add_parser(
        "agent",
        parents=[common],
        help="agents and their tokens for cs-tui serve",
        description="Agents, and the tokens they sign in to `cs-tui serve` with. A token is "
        "printed once, when it is made: the store keeps only its SHA-256 hash.",
    )
    actions = agent.add_subparsers(title="actions", metavar="ACTION", required=True)

    adding = actions.add_parser("add", parents=[common], help="add an agent and print their token")
    adding.add_argument("name", help='the name customers see, e.g. "Sari Wulandari"')
    adding.add_argument("--email", required=True, help="the agent's email address (their login)")
    adding.add_argument(
        "--role", choices=[r.value for r in Role], default=Role.AGENT.value, help="admins manage agents"
    )
    adding.set_defaults(handler=add_agent)

    listing = actions.add_parser("list", parents=[common], help="every agent, and who has a token")
    listing.add_argument("--json", action="store_true", help="print JSON for scripts")
    listing.set_defaults(handler=list_agents)

    token = actions.add_parser(
        "token", parents=[common], help="make a new token for an agent (the old one stops working)"
    )
    token.add_argument("agent", metavar="EMAIL_OR_NAME", help="the agent")
    token.set_defaults(handler=renew_token)

    revoke = actions.add_parser("revoke", parents=[common], help="take an agent's token away")
    revoke.add_argument("agent", metavar="EMAIL_OR_NAME", help="the agent")
    revoke.set_defaults(handler=revoke_token)


async def add_agent(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    if await store.find_agent(args.email) is not None:
        raise UsageError(
            f"there is already an agent with the email {args.email}; "
            f"`cs-tui agent token {args.email}` makes them a new token"
        )
    token = new_token()
    agent = await store.create_agent(args.name, args.email, Role(args.role), token_hash=token_hash(token))
    _print_token(agent, token)
    return 0


async def renew_token(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    agent = await _agent(store, args.agent)
    token = new_token()
    agent = await store.set_agent_token(agent.id, token_hash(token))
    _print_token(agent, token)
    return 0


async def revoke_token(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    agent = await _agent(store, args.agent)
    await store.set_agent_token(agent.id, None)
    who = f"{sanitize_line(agent.name)} <{sanitize_line(agent.email)}>"
    print(f"{who} has no token now: the old one no longer works.")
    return 0


async def list_agents(args: argparse.Namespace, context: Context) -> int:
    store = await context.store()
    agents = await store.list_agents()
    if args.json:
        print_json([agent_json(agent) for agent in agents])
        return 0
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("id", "name", "email", "role", "token"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    for agent in agents:
        table.add_row(
            str(agent.id),
            shown(agent.name),
            shown(agent.email),
            agent.role.value,
            "yes" if agent.has_token else "-",
        )
    console().print(table)
    return 0


def agent_json(agent: Agent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "name": agent.name,
        "email": agent.email,
        "role": agent.role.value,
        "active": agent.active,
        "has_token": agent.has_token,
    }


async def _agent(store: Store, wanted: str) -> Agent:
    agent = await store.find_agent(wanted)
    if agent is None:
        raise UsageError(f"there is no agent {wanted!r}; `cs-tui agent list` shows them")
    return agent


def _print_token(agent: Agent, token: str) -> None:
    # The token alone on stdout, for scripts; the words around it on stderr.
    who = f"{sanitize_line(agent.name)} <{sanitize_line(agent.email)}>"
    print(f"Token for {who} ({agent.role.value}), shown this once:", file=sys.stderr)
    print(token)
