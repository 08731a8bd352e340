"""`cs-tui migrate`: what a store holds beside its tickets (agents and their tokens,
canned responses, channels, customers' records), copied through the Store protocol.
Each step makes the target like the source and leaves alike what is alike already,
so running it again after a stop finishes the job."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

from cs_tui.domain.customers import CustomerChanges, CustomerRecord, Identity, IdentityKind
from cs_tui.domain.models import CannedResponse
from cs_tui.domain.text import sanitize_line
from cs_tui.store import copying
from cs_tui.store.base import Conflict, InvalidInput, Store, channel_store

CUSTOMER_PAGE = 500
"""Customers read at a time: their records are read side by side, a page at once."""


@dataclass(slots=True)
class Tally:
    """What the steps did, for the summary, and what they could not make alike."""

    said: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _count(number: int, word: str) -> str:
    return f"{number:,} {word}{'' if number == 1 else 's'}"


async def copy_agents(source: Store, target: Store, tally: Tally) -> None:
    """Every agent by email, with their name, role and token (its hash: the token
    itself is nowhere), before the tickets, whose import would otherwise make the
    agents it names with a name guessed from the address."""
    hashes = await copying.token_hashes(source)
    theirs_hashed = await copying.token_hashes(target) or {}
    theirs = {agent.email.lower(): agent for agent in await target.list_agents()}
    agents = sorted(await source.list_agents(), key=lambda agent: agent.id)  # their numbers kept, where free
    new = tokens = 0
    for agent in agents:
        email = agent.email.lower()
        hashed = (hashes or {}).get(email)
        who = sanitize_line(f"{agent.name} <{agent.email}>")
        found = theirs.get(email)
        try:
            if found is None:
                found = await target.create_agent(agent.name, agent.email, agent.role, token_hash=hashed)
                new += 1
                tokens += hashed is not None
            elif hashed is not None and theirs_hashed.get(email) != hashed:
                await target.set_agent_token(found.id, hashed)
                tokens += 1
        except InvalidInput as error:
            tally.problems.append(f"agent {who}: {error}")
            continue
        if (found.name, found.role) != (agent.name, agent.role):
            tally.problems.append(
                f"agent {who} is {sanitize_line(found.name)} ({found.role}) in the target and"
                f" {sanitize_line(agent.name)} ({agent.role}) in the source: the target's is kept"
            )
        if found.active and not agent.active:
            tally.problems.append(f"agent {who} is inactive in the source and active in the target")
    said = f"agents: {len(agents):,} ({new:,} new"
    if hashes is None:
        tally.problems.append("the source does not give its agents' tokens: give each a new one")
    else:
        said += f"; {_count(tokens, 'token')} carried" if tokens else ""
    tally.said.append(said + ")")


def _content(canned: CannedResponse) -> tuple[object, ...]:
    return (canned.body, canned.shortcut, canned.tags, canned.language, canned.actions)


async def copy_canned(source: Store, target: Store, tally: Tally) -> None:
    """Every canned response by title, with how often it was used (the picker lists
    the most used first)."""
    theirs = {canned.title: canned for canned in await target.list_canned()}
    responses = await source.list_canned()
    new = 0
    for canned in responses:
        found = theirs.get(canned.title)
        try:
            if found is None:
                found = await target.save_canned(replace(canned, id=None, usage_count=0), actor_id=None)
                new += 1
            elif _content(found) != _content(canned):
                found = await target.save_canned(
                    replace(canned, id=found.id, usage_count=found.usage_count), actor_id=None
                )
        except InvalidInput as error:
            tally.problems.append(f"canned response {sanitize_line(canned.title)!r}: {error}")
            continue
        assert found.id is not None
        for _ in range(canned.usage_count - found.usage_count):
            await target.record_canned_use(found.id)
    tally.said.append(f"canned responses: {len(responses):,} ({new:,} new)")


async def copy_channels(source: Store, target: Store, tally: Tally) -> None:
    """Every channel by name, with its settings (where its secrets are read from, never
    a secret) and how far it has taken in, so that it goes on from there in the
    target and takes nothing in twice."""
    source_channels, target_channels = channel_store(source), channel_store(target)
    if source_channels is None:
        return
    channels = await source_channels.list_channels()
    if not channels:
        return
    if target_channels is None or not copying.keeps_cursors(target):
        tally.problems.append("the target keeps no channels: set them up again on its server")
        return
    theirs = {channel.name: channel for channel in await target_channels.list_channels()}
    new = 0
    for channel in channels:
        found = theirs.get(channel.name)
        if found is None:
            await target_channels.add_channel(channel.name, channel.kind, dict(channel.settings))
            new += 1
        elif (found.kind, found.settings) != (channel.kind, channel.settings):
            tally.problems.append(
                f"channel {channel.name} is set up otherwise in the target: the target's is kept"
            )
            continue
        cursor = await source_channels.channel_cursor(channel.name)
        if cursor != await target_channels.channel_cursor(channel.name):
            await copying.set_channel_cursor(target, channel.name, cursor)
    tally.said.append(f"channels: {len(channels):,} ({new:,} new)")


def _beyond_tickets(record: CustomerRecord) -> bool:
    """Whether the record holds more than the tickets' import makes of it (a name and
    the address the tickets give)."""
    return bool(
        record.notes or record.tags or record.identities != (Identity(IdentityKind.EMAIL, record.email),)
    )


async def copy_customers(source: Store, target: Store, tally: Tally) -> None:
    """Each customer's notes, tags and other addresses, onto the customer the tickets'
    import made of their primary address. Customers are read a page at a time, their
    records side by side; only those holding more than their tickets say are written."""
    after: str | None = None
    seen = carried = 0
    while True:
        page = await source.list_customers(after=after, limit=CUSTOMER_PAGE)
        records = await asyncio.gather(*(source.get_customer_record(s.customer.id) for s in page.customers))
        seen += len(records)
        outcomes = await asyncio.gather(*(_carry_customer(target, r) for r in records if _beyond_tickets(r)))
        for outcome in outcomes:
            if outcome is True:
                carried += 1
            elif outcome:
                tally.problems.append(outcome)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    tally.said.append(f"customers: {seen:,} ({carried:,} with notes, tags or addresses written)")


async def _carry_customer(target: Store, record: CustomerRecord) -> bool | str:
    """True when written, False when alike already, else what went wrong."""
    who = sanitize_line(f"{record.name} <{record.email}>")
    found = await target.find_customer(record.email)
    if found is None:
        return f"customer {who} has no ticket to come with, and is not in the target"
    current = await target.get_customer_record(found.id)
    changes = CustomerChanges(
        name=record.name if record.name != current.name else None,
        notes=record.notes if record.notes != current.notes else None,
        add_tags=tuple(tag for tag in record.tags if tag not in current.tags),
        remove_tags=tuple(tag for tag in current.tags if tag not in record.tags),
        add_identities=tuple(i for i in record.identities if i not in current.identities),
        remove_identities=tuple(i for i in current.identities if i not in record.identities),
    )
    if changes.is_empty:
        return False
    try:
        await target.update_customer(current.id, changes, expected_version=current.version, actor_id=None)
    except (InvalidInput, Conflict) as error:
        return f"customer {who}: {error}"
    return True
