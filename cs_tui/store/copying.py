"""What copying a whole store into another (`cs-tui migrate`) needs beyond the Store
protocol: the hashes of the agents' tokens, setting how far a channel has taken in,
and what a ticket's export has no place for (copy_details). Only the local stores
have them (SQLite and PostgreSQL, whose tables are the same); a served store says
nothing of them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cs_tui.store.base import NotFound, Store
from cs_tui.store.sqlite import SqliteStore


async def token_hashes(store: Store) -> dict[str, str] | None:
    """The hash of each agent's token by the agent's email (agents without a token
    left out), as `create_agent` and `set_agent_token` take it; None for a store that
    does not say (a served one), whose agents need new tokens."""
    if not isinstance(store, SqliteStore):
        return None
    found = await store._fetchall("SELECT email, token_hash FROM agents WHERE token_hash IS NOT NULL")
    return {str(row[0]).lower(): str(row[1]) for row in found}


def keeps_cursors(store: Store) -> bool:
    """Whether `set_channel_cursor` can write to the store."""
    return isinstance(store, SqliteStore)


async def set_channel_cursor(store: Store, name: str, cursor: str | None) -> None:
    """Channel `name` has taken in up to `cursor` (as `channel_cursor` gives it), so
    that it goes on from there and takes nothing in twice."""
    if not isinstance(store, SqliteStore):
        raise NotFound("a served store's channels are set up on its server")
    async with store._transaction():
        written = await store._writer.execute("UPDATE channels SET cursor = ? WHERE name = ?", (cursor, name))
        if written.rowcount == 0:
            raise NotFound(f"there is no channel named {name}")


DETAILS_BATCH = 500
"""Tickets whose details are copied in one transaction of the target."""
_MESSAGE_DETAILS = ("external_id", "quoted", "raw_sha256", "from_name", "from_email")
_TICKET_DETAILS = ("channel_name", "cc", "linked_to", "merged_into", "conversation")
_DELIVERY = ("channel", "state", "reason", "attempts", "retry_at", "first_try_at", "handed_at")
_ATTACHMENT = ("filename", "content_type", "size", "sha256")


@dataclass(slots=True)
class DetailsCopied:
    """What copy_details carried, and what it could not."""

    tickets: int = 0
    messages: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)


def keeps_details(store: Store) -> bool:
    """Whether copy_details can read and write the store."""
    return isinstance(store, SqliteStore)


async def copy_details(
    source: Store, target: Store, *, progress: Callable[[int], None] | None = None
) -> DetailsCopied:
    """What a ticket's export has no place for, onto the target's copy of each ticket
    (same number): the mailbox or conversation it came by, its Cc, the ticket it
    follows up and the one it was merged into; its messages' mail ids (so that a
    customer's answer joins the ticket, and our reply goes on the thread), quoted text,
    senders, raw mail, attachments with their files, delivery state, and what each
    channel took in (so that nothing is taken in twice); and the chat widget's key
    (so that its visitors' chats go on). A ticket's messages are
    matched in their order, as the import wrote them. Written again on a second run,
    alike."""
    if not (isinstance(source, SqliteStore) and isinstance(target, SqliteStore)):
        raise NotFound("only a store's own file or database has these details")
    copied = DetailsCopied()
    keys = await source._fetchall("SELECT channel, key FROM channel_keys")
    async with target._transaction():
        await target._writer.executemany(
            "INSERT INTO channel_keys(channel, key) VALUES (?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET key = excluded.key",
            keys,
        )
    last, done = 0, 0
    while batch := await source._fetchall(
        f"SELECT id, {', '.join(_TICKET_DETAILS)} FROM tickets WHERE id > ? ORDER BY id LIMIT ?",
        (last, DETAILS_BATCH),
    ):
        first, last = int(batch[0][0]), int(batch[-1][0])
        await _copy_batch(source, target, batch, first, last, copied)
        done += len(batch)
        if progress is not None:
            progress(done)
    return copied


async def _copy_batch(
    source: SqliteStore, target: SqliteStore, tickets: list[Any], first: int, last: int, copied: DetailsCopied
) -> None:
    ours = await source._fetchall(
        f"SELECT id, ticket_id, {', '.join(_MESSAGE_DETAILS)} FROM messages"
        " WHERE ticket_id BETWEEN ? AND ? ORDER BY ticket_id, id",
        (first, last),
    )
    theirs = await target._fetchall(
        "SELECT id, ticket_id FROM messages WHERE ticket_id BETWEEN ? AND ? ORDER BY ticket_id, id",
        (first, last),
    )
    mapped = _matched(ours, theirs, copied)
    within = "(SELECT id FROM messages WHERE ticket_id BETWEEN ? AND ?)"
    deliveries = await source._fetchall(
        f"SELECT message_id, {', '.join(_DELIVERY)} FROM deliveries WHERE message_id IN {within}",
        (first, last),
    )
    attachments = await source._fetchall(
        f"SELECT message_id, {', '.join(_ATTACHMENT)} FROM attachments"
        f" WHERE message_id IN {within} ORDER BY id",
        (first, last),
    )
    taken = await source._fetchall(
        f"SELECT channel, key, message_id FROM taken_in WHERE message_id IN {within}", (first, last)
    )
    digests = {row[5] for row in ours if row[5]} | {row[4] for row in attachments}
    copied.files += await _copy_files(source, target, sorted(digests), copied)
    ticket_rows = [(*row[1:], row[0]) for row in tickets if _has_details(row[1:])]
    message_rows = [(*row[2:], mapped[row[0]]) for row in ours if row[0] in mapped and _has_details(row[2:])]
    async with target._transaction():
        db = target._writer
        set_tickets = ", ".join(f"{column} = ?" for column in _TICKET_DETAILS)
        await db.executemany(f"UPDATE tickets SET {set_tickets} WHERE id = ?", ticket_rows)
        set_messages = ", ".join(f"{column} = ?" for column in _MESSAGE_DETAILS)
        await db.executemany(f"UPDATE messages SET {set_messages} WHERE id = ?", message_rows)
        await db.execute(f"DELETE FROM deliveries WHERE message_id IN {within}", (first, last))
        await db.executemany(
            f"INSERT INTO deliveries(message_id, {', '.join(_DELIVERY)}) VALUES ({', '.join('?' * 8)})",
            [(mapped[row[0]], *row[1:]) for row in deliveries if row[0] in mapped],
        )
        await db.execute(f"DELETE FROM attachments WHERE message_id IN {within}", (first, last))
        await db.executemany(
            f"INSERT INTO attachments(message_id, {', '.join(_ATTACHMENT)}) VALUES (?, ?, ?, ?, ?)",
            [(mapped[row[0]], *row[1:]) for row in attachments if row[0] in mapped],
        )
        await db.executemany(
            "INSERT INTO taken_in(channel, key, message_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(channel, key, mapped[message]) for channel, key, message in taken if message in mapped],
        )
    copied.tickets += len(ticket_rows)
    copied.messages += len(message_rows)


def _has_details(values: Sequence[Any]) -> bool:
    return any(value not in (None, "") for value in values)


def _matched(ours: list[Any], theirs: list[Any], copied: DetailsCopied) -> dict[int, int]:
    """The target's number of each of the source's messages, ticket by ticket in order;
    a ticket whose messages differ in number is left out, and said."""
    by_ticket: dict[int, tuple[list[int], list[int]]] = {}
    for row in ours:
        by_ticket.setdefault(int(row[1]), ([], []))[0].append(int(row[0]))
    for row in theirs:
        by_ticket.setdefault(int(row[1]), ([], []))[1].append(int(row[0]))
    mapped: dict[int, int] = {}
    for ticket_id, (mine, yours) in by_ticket.items():
        if len(mine) != len(yours):
            copied.problems.append(
                f"ticket #{ticket_id}: {len(mine)} messages here, {len(yours)} there; its messages'"
                " mail ids, attachments and delivery state were not copied"
            )
            continue
        mapped.update(zip(mine, yours, strict=True))
    return mapped


async def _copy_files(
    source: SqliteStore, target: SqliteStore, digests: list[str], copied: DetailsCopied
) -> int:
    """The files (raw mail, attachments) by digest, into the target's keeping."""
    blobs: list[bytes] = []
    for digest in digests:
        try:
            blobs.append(await source._kept_file(digest))
        except (NotFound, OSError) as error:
            copied.problems.append(f"file {digest[:12]}… could not be read: {error}")
    await target._keep_blobs(blobs)
    return len(blobs)
