"""Sending what the composer holds: the store taking it as a draft first, the undo
window (`u`), the outbox when the store is away, and what its canned responses do to
the ticket once it is sent."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, cast

from textual import work
from textual.worker import WorkerCancelled, WorkerFailed

from cs_tui.domain.models import AuthorKind, CannedActions, Draft, DraftKind, NewMessage, Ticket
from cs_tui.store.base import Queued, StoreError, StoreUnwritable
from cs_tui.tui.format import describe_actions
from cs_tui.tui.kept import shown_path

if TYPE_CHECKING:
    from cs_tui.tui.widgets.ticket_pane import TicketPane


@dataclass(frozen=True, slots=True)
class Seen:
    """What the agent had seen of a ticket when they sent to it: what came after is
    shown to them before the message goes."""

    ticket: Ticket | None
    """The ticket as it was when they began writing (or last changed it themselves)."""
    last_message_id: int
    """The newest of its messages the conversation showed (0: none)."""


class Sending:
    """Mixed into TicketPane."""

    def _pane(self) -> TicketPane:
        # A cast, not an isinstance check: ticket_pane imports this module, not the other way.
        return cast("TicketPane", self)

    def send(self) -> bool:
        """Send what the composer holds to the ticket it is on (after its undo window);
        False when nothing went (nothing written, a placeholder left unfilled). Sent
        before that ticket has loaded (typed in a burst), it goes once the ticket shows."""
        pane = self._pane()
        composer = pane.composer
        ticket_id = composer.ticket_id
        if ticket_id is None or not composer.is_open or composer.client_id in composer.sending:
            return False
        if not composer.text.strip():
            pane.notify("Nothing to send yet.", severity="warning")
            return False
        missing = composer.missing_placeholders()
        if missing:
            names = ", ".join("{{" + name + "}}" for name in dict.fromkeys(missing))
            pane.notify(f"Fill in {names} first; nothing was sent.", severity="error", title="Not sent")
            return False
        if not pane.shows(ticket_id):
            self._send_once_shown(ticket_id)
            return True
        composer.flush()
        # Taken now: in play mode the pane shows the next ticket before the send looks.
        seen = Seen(pane.seen_when_writing, pane.conversation.last_message_id or 0)
        composer.sending.add(composer.client_id)
        self._send(ticket_id, composer.text, composer.kind, composer.client_id, composer.on_send, seen)
        return True

    @work(group="send", exit_on_error=False)
    async def _send_once_shown(self, ticket_id: int) -> None:
        if await self._pane().until_shown(ticket_id):
            self.send()

    @work(group="send", exit_on_error=False)
    async def _send(
        self, ticket_id: int, body: str, kind: DraftKind, client_id: str, actions: CannedActions, seen: Seen
    ) -> None:
        pane = self._pane()
        store, agent = pane.services.store, pane.services.agent
        composer = pane.composer
        new = NewMessage(client_id, body, AuthorKind.AGENT, internal=kind is DraftKind.NOTE)
        try:
            if not await pane._nothing_changed_meanwhile(ticket_id, seen):
                await self._back_to_editing(ticket_id, body, kind, actions)
                return
            if not await self._store_takes(ticket_id, body, kind, actions):
                return
            if not await self._undo_window(ticket_id, body, kind, client_id, actions):
                return
            message = await store.add_message(ticket_id, new, actor_id=agent.id)
        except Queued as queued:
            self._waits(new, queued, actions)
            return
        except StoreError as error:
            self._keep_unsent(ticket_id, body, kind, actions)
            kept = ""
            if isinstance(error, StoreUnwritable):
                pane.services.unwritable = str(error)
                kept = f", and in {shown_path(pane.services.kept.keep(ticket_id, kind, body))}"
            pane.notify(
                f"{error}.\nYour text is kept{kept}: press ctrl+s to try again.",
                severity="error",
                title="Not sent",
            )
            return
        finally:
            composer.sending.discard(client_id)
        async with pane.draft_writes.turn(ticket_id):
            await store.delete_draft(agent.id, ticket_id)
        pane.services.kept.forget(ticket_id)
        if composer.ticket_id == ticket_id and composer.client_id == client_id:
            composer.clear()
            composer.close()
        pane.notify("Note added." if kind is DraftKind.NOTE else "Reply sent.", title=f"#{ticket_id}")
        await self._do_on_send(ticket_id, actions)
        if pane.ticket is not None and pane.ticket.id == ticket_id:
            pane.conversation.append((message,))
            if not composer.is_open:
                pane.conversation.focus()
            pane.follow()

    async def _back_to_editing(
        self, ticket_id: int, body: str, kind: DraftKind, actions: CannedActions
    ) -> None:
        """The agent chose to edit what they sent: its ticket again if they had gone
        on to the next one, the text in the composer, its canned actions with it."""
        pane = self._pane()
        if not pane.shows(ticket_id):
            with suppress(WorkerCancelled, WorkerFailed):
                await pane.open(ticket_id, compose=kind).wait()
            self._keep_unsent(ticket_id, body, kind, actions)
        if pane.composer.is_open:
            pane.composer.area.focus()

    def _waits(self, new: NewMessage, queued: Queued, actions: CannedActions) -> None:
        """The store is away: the message waits in its outbox, which sends it (once)
        when the store is back, and survives a restart. The composer lets it go. What
        its canned responses would do to the ticket is said, not done: the agent does
        it once the ticket is there to see."""
        pane = self._pane()
        composer = pane.composer
        if composer.ticket_id == queued.ticket_id and composer.client_id == new.client_id:
            composer.clear()
            composer.close()
        undone = "" if actions.is_empty else f"\nNot done meanwhile: {describe_actions(actions)}."
        pane.notify(f"{queued}{undone}", severity="warning", title=f"#{queued.ticket_id} offline")

    async def _store_takes(self, ticket_id: int, body: str, kind: DraftKind, actions: CannedActions) -> bool:
        """True to go on: the store takes the text as a draft, which it stays until it is
        sent. A store that cannot be written is said now, not when the undo window is
        over, and the text stays in the composer."""
        pane = self._pane()
        store, agent = pane.services.store, pane.services.agent
        try:
            async with pane.draft_writes.turn(ticket_id):
                await store.save_draft(Draft(agent.id, ticket_id, body, kind))
        except StoreUnwritable as error:
            pane.services.unwritable = None  # said again, with where the text is
            pane._cannot_write(ticket_id, kind, body, error)
            self._keep_unsent(ticket_id, body, kind, actions)
            return False
        except StoreError:  # away: the reply waits in the outbox instead
            return True
        pane._could_write(ticket_id)
        return True

    async def _undo_window(
        self, ticket_id: int, body: str, kind: DraftKind, client_id: str, actions: CannedActions
    ) -> bool:
        """Hold the message for the configured seconds, during which `u` takes it back.
        True to send it. It stays a saved draft until it is sent: a killed process
        loses nothing, and the agent finds it unsent."""
        pane = self._pane()
        seconds = pane.services.config.undo_seconds
        if seconds <= 0:
            return True
        decided: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        pane.pending[client_id] = decided
        pane.screen.refresh_bindings()  # "u Undo send" in the key hints
        what = "Note" if kind is DraftKind.NOTE else "Reply"
        if pane.composer.ticket_id == ticket_id:
            pane.composer.close()
            pane.conversation.focus()
        going = "is added" if kind is DraftKind.NOTE else "goes out"  # a note goes nowhere
        pane.notify(f"{what} {going} in {seconds:g} s. u: undo", title=f"#{ticket_id}", timeout=seconds)
        try:
            outcome = await asyncio.wait_for(asyncio.shield(decided), seconds)
        except TimeoutError:
            outcome = "send"
        finally:
            pane.pending.pop(client_id, None)
            pane.screen.refresh_bindings()
        if outcome == "undo":
            self._keep_unsent(ticket_id, body, kind, actions)
            pane.notify(f"{what} not sent: it is back in the composer.", title=f"#{ticket_id}")
            return False
        return True

    def _keep_unsent(self, ticket_id: int, body: str, kind: DraftKind, actions: CannedActions) -> None:
        """Back in the composer, with what its canned responses do on sending, if the agent
        is still on that ticket (else it waits as a draft)."""
        pane = self._pane()
        if pane.ticket is not None and pane.ticket.id == ticket_id:
            pane._open_composer(kind, body)
            pane.composer.add_actions(actions)

    def undo_send(self) -> bool:
        """Take back the message waiting to go out (the latest one); False if none waits."""
        pane = self._pane()
        waiting = [f for f in pane.pending.values() if not f.done()]
        if not waiting:
            return False
        waiting[-1].set_result("undo")
        return True

    async def send_waiting_now(self) -> None:
        """Quitting: what waits in its undo window goes out now rather than never."""
        pane = self._pane()
        for decided in pane.pending.values():
            if not decided.done():
                decided.set_result("now")
        for worker in [w for w in pane.app.workers if w.node is pane and w.group == "send"]:
            if worker.is_running:
                await worker.wait()

    async def _do_on_send(self, ticket_id: int, actions: CannedActions) -> None:
        """What the canned responses in a sent message do to its ticket, once it is sent."""
        pane = self._pane()
        if actions.is_empty:
            return
        ticket = await pane.services.store.get_ticket(ticket_id)
        changes = actions.changes_for(ticket.tags)
        pane._change(ticket, changes, f"Set {describe_actions(replace(actions, add_tags=changes.add_tags))}")
