"""One of several processes writing to one SQLite store at once (test_sqlite_specific).

    python sqlite_writer.py STORE WRITER AGENT_ID GO_FILE TICKET_ID [TICKET_ID ...]

Waits for GO_FILE so that every writer starts together, then adds MESSAGES messages
round the tickets, re-sending some client ids as an outbox retry would, and sending the
SHARED ids that every writer also sends. Exits non-zero with a reason on stderr if a
write fails or a re-send does not return the message first stored.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from cs_tui.domain.models import AuthorKind, NewMessage
from cs_tui.store import open_store

MESSAGES = 200
SHARED = 20
"""Client ids shared-0 ... shared-19, sent by every writer: each must be stored once."""


def shared_ticket(number: int, tickets: list[int]) -> int:
    return tickets[number % len(tickets)]


async def write(store_path: str, writer: int, agent_id: int, tickets: list[int]) -> None:
    store = await open_store(store_path)
    try:
        for n in range(MESSAGES):
            ticket_id = tickets[n % len(tickets)]
            from_agent = n % 2 == 0
            new = NewMessage(
                client_id=f"w{writer}-{n}",
                body=f"writer {writer} message {n}",
                author_kind=AuthorKind.AGENT if from_agent else AuthorKind.CUSTOMER,
                internal=from_agent and n % 8 == 0,
            )
            actor = agent_id if from_agent else None
            first = await store.add_message(ticket_id, new, actor_id=actor)
            if n % 7 == 0:
                again = await store.add_message(ticket_id, new, actor_id=actor)
                if again.id != first.id:
                    sys.exit(f"re-sending {new.client_id} stored it again as {again.id} (was {first.id})")
            if n % 10 == 0:
                shared = (n // 10 + writer) % SHARED
                await store.add_message(
                    shared_ticket(shared, tickets),
                    NewMessage(client_id=f"shared-{shared}", body=f"shared message {shared}"),
                    actor_id=agent_id,
                )
    finally:
        await store.close()


def main() -> None:
    store_path, writer, agent_id, go_file, *tickets = sys.argv[1:]
    deadline = time.monotonic() + 60
    while not Path(go_file).exists():
        if time.monotonic() > deadline:
            sys.exit("never told to start")
        time.sleep(0.005)
    asyncio.run(write(store_path, int(writer), int(agent_id), [int(t) for t in tickets]))


if __name__ == "__main__":
    main()
