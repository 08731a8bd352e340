"""A store with an outbox (OutboxStore, as the TUI opens it) over a server that goes
away and comes back: a reply, a note or a change made meanwhile waits, survives a
restart of the client, and is made once, in order, when the server is back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from cs_tui.domain.models import Draft, DraftKind, NewMessage, Priority, Status, TicketChanges
from cs_tui.domain.timeutil import utcnow
from cs_tui.store import Queued, open_store
from cs_tui.store.http import client as http_client
from cs_tui.store.outbox import Delivery, Outbox, OutboxStore

from .helpers import open_ticket
from .served import ServedStore

SOON_S = 10.0
"""How long what waits may take to go out once the server is back."""


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client gives up on a server that is away after a few quick tries, not seconds of them."""
    monkeypatch.setattr(http_client, "BACKOFF_S", 0.01)


@dataclass
class Office:
    """An agent's cs-tui with an outbox file, and the server it reaches, which a test
    can take away and bring back."""

    served: ServedStore
    outbox_file: Path
    news: list[Delivery]

    async def away(self) -> None:
        await asyncio.to_thread(self.served.stop)

    async def back(self) -> None:
        await asyncio.to_thread(self.served.start)

    @asynccontextmanager
    async def client(self, retry_s: float = 0.2) -> AsyncIterator[OutboxStore]:
        """A cs-tui started on the outbox file (again, for a restart)."""
        inner = await open_store(self.served.url, token=self.served.token)
        store = await OutboxStore.open(inner, Outbox(self.outbox_file), retry_s=retry_s)
        stop = store.listen(self.news.append)
        try:
            yield store
        finally:
            stop()
            await store.close()


@pytest.fixture
async def office(tmp_path: Path) -> AsyncIterator[Office]:
    served = await asyncio.to_thread(ServedStore, tmp_path)
    try:
        yield Office(served, tmp_path / "outbox.jsonl", [])
    finally:
        await asyncio.to_thread(served.stop)


async def until(condition: Callable[[], bool], within: float = SOON_S) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        assert loop.time() < deadline, "it did not happen in time"
        await asyncio.sleep(0.05)


def reply_of(body: str, *, internal: bool = False) -> NewMessage:
    return NewMessage(str(uuid.uuid4()), body, internal=internal)


async def test_writes_made_while_the_server_is_away_wait_and_are_made_once_when_it_is_back(
    office: Office,
) -> None:
    async with office.client() as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        await office.away()
        with pytest.raises(Queued) as queued:
            await store.add_message(ticket.id, reply_of("Paket dikirim ulang hari ini."), actor_id=ana.id)
        assert (queued.value.ticket_id, queued.value.what) == (ticket.id, "reply")
        assert "waits" in str(queued.value)
        with pytest.raises(Queued):
            await store.add_message(ticket.id, reply_of("Cek kurir", internal=True), actor_id=ana.id)
        with pytest.raises(Queued):
            await store.update_ticket(
                ticket.id,
                TicketChanges(status=Status.PENDING),
                expected_version=ticket.version + 2,  # after the reply and the note
                actor_id=ana.id,
            )
        assert (office.news[-1].waiting, office.news[-1].offline) == (3, True)
        await office.back()
        await until(lambda: office.news[-1].waiting == 0)
        messages = (await store.get_messages(ticket.id)).messages
        assert [m.body for m in messages[1:]] == ["Paket dikirim ulang hari ini.", "Cek kurir"]
        assert [m.internal for m in messages[1:]] == [False, True]
        assert (await store.get_ticket(ticket.id)).status is Status.PENDING
        assert sum(len(n.sent) for n in office.news) == 3
    assert not office.outbox_file.exists()


async def test_what_waits_survives_a_restart_of_the_client(office: Office) -> None:
    async with office.client() as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        await office.away()
        with pytest.raises(Queued):
            await store.add_message(ticket.id, reply_of("Refund diproses"), actor_id=ana.id)
    assert office.outbox_file.exists()
    await office.back()
    async with office.client() as store:
        await until(lambda: bool(office.news) and office.news[-1].waiting == 0)
        bodies = [m.body for m in (await store.get_messages(ticket.id)).messages]
        assert bodies.count("Refund diproses") == 1
        [message] = [m for m in (await store.get_messages(ticket.id)).messages if m.body == "Refund diproses"]
        assert message.agent_id == ana.id


async def test_a_reply_that_reached_the_store_before_is_not_stored_twice(office: Office) -> None:
    """The answer to a send can be lost after the store took it: sending it again is safe."""
    async with office.client(retry_s=60) as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        sent = reply_of("Sudah kami kirim")
        await store.inner.add_message(ticket.id, sent, actor_id=ana.id)  # it got there...
        await office.away()
        with pytest.raises(Queued):  # ...but this client never heard, and tries again
            await store.add_message(ticket.id, sent, actor_id=ana.id)
        await office.back()
        delivery = await store.deliver()
        assert (len(delivery.sent), delivery.waiting) == (1, 0)
        bodies = [m.body for m in (await store.get_messages(ticket.id)).messages]
        assert bodies.count("Sudah kami kirim") == 1


async def test_a_change_that_meets_a_newer_version_is_not_made_and_is_reported(office: Office) -> None:
    async with office.client(retry_s=60) as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        await office.away()
        with pytest.raises(Queued):
            await store.update_ticket(
                ticket.id,
                TicketChanges(priority=Priority.LOW),
                expected_version=ticket.version,
                actor_id=ana.id,
            )
        await office.back()
        # Before the outbox tries again, a colleague changes the ticket.
        await store.inner.update_ticket(
            ticket.id, TicketChanges(priority=Priority.URGENT), expected_version=ticket.version, actor_id=None
        )
        delivery = await store.deliver()
        assert delivery.sent == []
        [refusal] = delivery.refused
        assert refusal.waiting.ticket_id == ticket.id
        assert "changed since you loaded it" in str(refusal.error)
        assert (await store.get_ticket(ticket.id)).priority is Priority.URGENT
        assert delivery.waiting == 0


async def test_a_reply_refused_when_it_goes_out_keeps_its_text(office: Office) -> None:
    async with office.client(retry_s=60) as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        await office.away()
        with pytest.raises(Queued):
            await store.add_message(999_999, reply_of("Untuk tiket yang tidak ada"), actor_id=ana.id)
        await office.back()
        delivery = await store.deliver()
        [refusal] = delivery.refused
        assert "#999999" in str(refusal.error)
        assert refusal.waiting.message is not None
        assert refusal.waiting.message.body == "Untuk tiket yang tidak ada"
        assert not refusal.kept_as_draft  # there is no ticket to keep it on: the TUI shows the text
        assert office.news[-1] is delivery


async def test_a_write_made_when_the_server_is_back_goes_after_what_waited(office: Office) -> None:
    async with office.client(retry_s=60) as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        await office.away()
        with pytest.raises(Queued):
            await store.add_message(ticket.id, reply_of("pertama"), actor_id=ana.id)
        await office.back()
        await store.add_message(ticket.id, reply_of("kedua"), actor_id=ana.id)  # answered at once
        bodies = [m.body for m in (await store.get_messages(ticket.id)).messages]
        assert bodies[1:] == ["pertama", "kedua"]


async def test_the_draft_of_a_reply_that_waits_is_not_offered_again(office: Office) -> None:
    """Else the agent would find the text in the composer and send it a second time."""
    async with office.client(retry_s=60) as store:
        ana = await store.ensure_agent("Ana Wijaya", "ana@tokoku.example")
        ticket = await open_ticket(store)
        await store.save_draft(Draft(ana.id, ticket.id, "Terima kasih", DraftKind.REPLY))
        await office.away()
        with pytest.raises(Queued):
            await store.add_message(ticket.id, reply_of("Terima kasih"), actor_id=ana.id)
        await office.back()
        assert await store.get_draft(ana.id, ticket.id) is None
        await store.deliver()
        assert await store.inner.get_draft(ana.id, ticket.id) is None  # sending it took the draft


async def test_a_snooze_made_while_the_server_is_away_is_kept_through_a_restart(office: Office) -> None:
    tomorrow = utcnow().replace(microsecond=0) + timedelta(days=1)
    async with office.client() as store:
        ticket = await open_ticket(store)
        await office.away()
        snooze = TicketChanges(snoozed_until=tomorrow)
        with pytest.raises(Queued):
            await store.update_ticket(ticket.id, snooze, expected_version=ticket.version, actor_id=None)
    await office.back()
    async with office.client() as store:
        await until(lambda: bool(office.news) and office.news[-1].waiting == 0)
        snoozed = await store.get_ticket(ticket.id)
        assert (snoozed.status, snoozed.snoozed_until) == (Status.PENDING, tomorrow)
