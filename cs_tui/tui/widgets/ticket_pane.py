"""The open ticket: header, conversation and composer, and what an agent does to it.

Every change names the ticket version the agent saw; a stale one comes back as a
Conflict and the agent is told what changed. A send first checks for messages
that arrived while the agent typed. (The sending itself is ticket_sending's.)
"""

from __future__ import annotations

import asyncio
from contextlib import suppress

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.worker import Worker, WorkerCancelled, WorkerFailed

from cs_tui.domain.chat import TYPING_S, VisitorState, chat_wait
from cs_tui.domain.models import (
    CannedResponse,
    Channel,
    Draft,
    DraftKind,
    Presence,
    Ticket,
    TicketChanges,
)
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import Conflict, Queued, StoreUnavailable, StoreUnwritable
from cs_tui.tui.changes import describe_changes
from cs_tui.tui.draft_writes import DraftWrites
from cs_tui.tui.kept import shown_path
from cs_tui.tui.screens.pickers import AskScreen
from cs_tui.tui.services import HasServices
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.conversation import Conversation, TicketHeader, message_text
from cs_tui.tui.widgets.pane import Pane
from cs_tui.tui.widgets.ticket_sending import Seen, Sending

MESSAGES_PER_PAGE = 50


class TicketPane(Sending, HasServices, Pane):
    """Everything about the one ticket the agent has open."""

    DEFAULT_CSS = """
    TicketPane { width: 1fr; }
    """

    class Changed(Message):
        """The agent changed the open ticket (the queue row should follow)."""

        def __init__(self, ticket: Ticket) -> None:
            super().__init__()
            self.ticket = ticket

    class Read(Message):
        """The agent has seen the open ticket's messages so far."""

        def __init__(self, ticket_id: int) -> None:
            super().__init__()
            self.ticket_id = ticket_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket: Ticket | None = None
        self.other_tickets: int | None = None
        self.others: list[Presence] = []
        """Other agents' sessions and the tickets they are on."""
        self.visitor: VisitorState | None = None
        """What the open chat's visitor was last heard doing."""
        self.pending: dict[str, asyncio.Future[str]] = {}
        """Messages in their undo window, by client id: "undo" or "now" decides early."""
        self.seen_when_writing: Ticket | None = None
        """The ticket as it was when the agent began writing (or last changed it themselves)."""
        self._loading: Worker[None] | None = None
        self.draft_writes = DraftWrites()
        """Every save and deletion of a draft from this pane, one at a time, in order."""

    def compose(self) -> ComposeResult:
        clock = self.services.clock
        yield TicketHeader(id="ticket-header")
        yield Conversation(clock=clock, id="conversation")
        yield Composer(id="composer")

    def on_mount(self) -> None:
        self.header.show(None, other_tickets=None, now=self.services.clock())

    @property
    def header(self) -> TicketHeader:
        return self.query_one(TicketHeader)

    @property
    def conversation(self) -> Conversation:
        return self.query_one(Conversation)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    # Opening and following a ticket

    def open(
        self, ticket_id: int, *, compose: DraftKind | None = None, seen: Ticket | None = None
    ) -> Worker[None]:
        """Show the ticket (in a worker the caller may wait for). With `compose`, the
        composer opens at once on `seen` (the ticket as the queue shows it) and takes the
        keys while the ticket loads; a draft found then goes before what was typed."""
        if self.ticket is not None and self.ticket.id != ticket_id:
            self.composer.forget()
        if compose is not None and seen is not None and seen.id == ticket_id:
            self.seen_when_writing = seen
            self.composer.open(
                ticket_id, compose, ticket=seen, body="" if self.composer.ticket_id != ticket_id else None
            )
            self.composer.hold_drafts = True  # until the draft is read: it goes before the typing
        loading: Worker[None] = self._load(ticket_id, compose)
        self._loading = loading
        return loading

    def shows(self, ticket_id: int) -> bool:
        """Whether the pane shows that ticket (loaded, not only asked for)."""
        return self.ticket is not None and self.ticket.id == ticket_id

    async def until_shown(self, ticket_id: int) -> bool:
        """Wait for the ticket being opened, if one is; True if the pane then shows
        `ticket_id` (False: the agent went to another ticket meanwhile)."""
        loading = self._loading
        if loading is not None and loading.is_running:
            with suppress(WorkerCancelled, WorkerFailed):
                await loading.wait()
        return self.shows(ticket_id)

    @work(exclusive=True, group="ticket-open", exit_on_error=False)
    async def _load(self, ticket_id: int, compose: DraftKind | None) -> None:
        try:
            await self._load_now(ticket_id, compose)
        finally:
            # Not another ticket's hold: one opened meanwhile cancelled this load.
            if self.composer.hold_drafts and self.composer.ticket_id == ticket_id:
                self.composer.hold_drafts = False
                self.composer.flush()  # what was typed while it loaded, with the draft before it

    async def _load_now(self, ticket_id: int, compose: DraftKind | None) -> None:
        store, agent = self.services.store, self.services.agent
        ticket = await store.get_ticket(ticket_id)
        page = await store.get_messages(ticket_id, limit=MESSAGES_PER_PAGE)
        draft = await store.get_draft(agent.id, ticket_id)
        kept = self.services.kept.get(ticket_id)
        if kept is not None:  # what the store could not take is newer than its draft
            draft = Draft(agent.id, ticket_id, kept[1], kept[0])
            self._write_draft(ticket_id, kept[0], kept[1])  # the store may take it now
        others = await store.customer_ticket_count(ticket.customer.id) - 1
        live = ticket.channel is Channel.CHAT and ticket.conversation is not None
        self.visitor = (await store.visitor_states([ticket_id])).get(ticket_id) if live else None
        self.ticket, self.other_tickets = ticket, others
        # The conversation first, so that no frame shows this header over the last ticket's messages.
        self.conversation.show(page.messages, has_earlier=page.has_earlier)
        self._show_header()
        typed = self.composer.text if compose is not None and self.composer.ticket_id == ticket_id else ""
        if draft is not None and draft.body.strip():
            # Shown, but keys stay commands until the agent goes on writing (r or n).
            self._open_composer(draft.kind, draft.body + typed, focus=compose is not None)
            if typed:
                self._write_draft(ticket_id, draft.kind, draft.body + typed)
            if compose is not None and compose is not draft.kind:
                written = "an internal note" if draft.kind is DraftKind.NOTE else "a reply"
                self.notify(
                    f"You have {written} written here: it stays {written}. Send it or clear it first.",
                    severity="warning",
                    title=f"#{ticket_id}",
                )
            if compose is None:
                self.screen.set_focus(self.conversation)
                key = "n" if draft.kind is DraftKind.NOTE else "r"
                self.notify(f"Your unsent draft is back: {key} to go on writing.", title=f"#{ticket_id}")
        elif compose is not None:
            self._open_composer(compose, None)  # what was typed while it loaded stays
        elif not self.composer.is_open:
            # Now, not after this message as focus() does: the focus moves in the frame
            # that shows the ticket, not in one of its own a frame later.
            self.screen.set_focus(self.conversation)
        await self._mark_read(ticket_id)

    def _show_header(self) -> None:
        others = [p for p in self.others if self.ticket is not None and p.ticket_id == self.ticket.id]
        self.header.show(
            self.ticket,
            other_tickets=self.other_tickets,
            now=self.services.clock(),
            others=others,
            visitor=self.visitor if self.is_chat else None,
            chat_target_s=self.services.config.chat_first_response_s,
        )
        if self.ticket is not None:
            self.composer.readdress(self.ticket)  # a Cc the customer added: the title says so

    @property
    def is_chat(self) -> bool:
        """A live chat: a visitor may be on the page (not a message left while nobody
        was there, nor a chat brought in by an import)."""
        ticket = self.ticket
        return ticket is not None and ticket.channel is Channel.CHAT and ticket.conversation is not None

    def show_visitor(self, state: VisitorState | None) -> None:
        """What the open chat's visitor is doing, in the header."""
        if state != self.visitor:
            self.visitor = state
            self._show_header()

    def tick_chat(self) -> None:
        """A waiting chat's seconds, and a visitor's typing that stopped without a word."""
        if not self.is_chat or self.ticket is None:
            return
        now = self.services.clock()
        wait = chat_wait(self.ticket, now, self.services.config.chat_first_response_s)
        counting = wait is not None and wait.counts_seconds
        typed = self.visitor.typing_at if self.visitor is not None else None
        if counting or (typed is not None and (now - typed).total_seconds() <= TYPING_S + 1):
            self._show_header()

    def show_others(self, others: list[Presence]) -> None:
        """Other agents on tickets; the header names those on this one."""
        mine_before = [p for p in self.others if self.ticket is not None and p.ticket_id == self.ticket.id]
        self.others = others
        mine = [p for p in others if self.ticket is not None and p.ticket_id == self.ticket.id]
        if [(p.agent.id, p.activity) for p in mine] != [(p.agent.id, p.activity) for p in mine_before]:
            self._show_header()

    def follow(self, *, whole: bool = False) -> None:
        """Another process wrote to the open ticket: show its new state and messages.
        `whole`: its conversation changed within (a ticket merged into it, messages split
        off): shown again from the newest, the composer left as it is."""
        if self.ticket is not None:
            self._follow(self.ticket.id, whole)

    @work(exclusive=True, group="ticket-follow", exit_on_error=False)
    async def _follow(self, ticket_id: int, whole: bool) -> None:
        store = self.services.store
        ticket = await store.get_ticket(ticket_id)
        page = await store.get_messages(ticket_id, limit=MESSAGES_PER_PAGE)
        if self.ticket is None or self.ticket.id != ticket_id:
            return
        self.ticket = ticket
        if whole:
            self.other_tickets = await store.customer_ticket_count(ticket.customer.id) - 1
            self.conversation.show(page.messages, has_earlier=page.has_earlier)
        self._show_header()
        if not whole:
            self.conversation.append(page.messages)
        await self._mark_read(ticket_id)

    async def _mark_read(self, ticket_id: int) -> None:
        last = self.conversation.last_message_id
        if last is not None:
            await self.services.store.mark_read(self.services.agent.id, ticket_id, last)
            self.post_message(self.Read(ticket_id))

    @on(Conversation.ReachedTop)
    def _load_earlier(self) -> None:
        first = self.conversation.first_message_id
        if self.ticket is not None and self.conversation.has_earlier and first is not None:
            self._earlier(self.ticket.id, first)

    @work(exclusive=True, group="ticket-earlier", exit_on_error=False)
    async def _earlier(self, ticket_id: int, before: int) -> None:
        page = await self.services.store.get_messages(ticket_id, before=before, limit=MESSAGES_PER_PAGE)
        if self.ticket is not None and self.ticket.id == ticket_id:
            self.conversation.prepend(page.messages, has_earlier=page.has_earlier)

    # Composing

    def start(self, kind: DraftKind) -> None:
        """Write a reply or a note. Text already written stays what it was written as: an
        internal note is never turned into a reply by pressing `r` (nor a reply into a
        note by `n`); the agent is told, and sends or clears it first."""
        if self.ticket is None:
            return
        composer = self.composer
        keep = composer.text if composer.ticket_id == self.ticket.id else None
        if keep and keep.strip() and composer.kind is not kind:
            self._open_composer(composer.kind, keep)
            written = "an internal note" if composer.kind is DraftKind.NOTE else "a reply"
            self.notify(
                f"You have {written} written here: it stays {written}. Send it (ctrl+s) or clear it first.",
                severity="warning",
                title=f"#{self.ticket.id}",
            )
            return
        self._open_composer(kind, keep)

    def _open_composer(self, kind: DraftKind, body: str | None, *, focus: bool = True) -> None:
        """Open the composer on this ticket, remembering the ticket as the agent saw it
        when they began to write: what others change after that is shown before sending."""
        assert self.ticket is not None
        if not self.composer.is_open or self.composer.ticket_id != self.ticket.id:
            self.seen_when_writing = self.ticket
        self.composer.open(self.ticket.id, kind, ticket=self.ticket, body=body, focus=focus)

    def leave_composer(self) -> None:
        self.composer.flush()
        self.composer.close()
        self.conversation.focus()

    def insert_canned(self, body: str, canned: CannedResponse) -> None:
        """Put a canned response at the cursor (of a composer opened on a ticket that
        may still be loading); what it does to the ticket (a status, a priority, tags)
        is done when the text is sent, not before."""
        if not self.composer.is_open:
            if self.ticket is None:
                return
            self.start(DraftKind.REPLY)
        self.composer.insert(body)
        self.composer.add_actions(canned.actions)
        if canned.id is not None:
            self._record_use(canned.id)

    def insert_reply(self, body: str) -> None:
        """Put text in the reply at the cursor, opening it if it is not open."""
        if self.ticket is None:
            return
        if not self.composer.is_open:
            self.start(DraftKind.REPLY)
        self.composer.insert(body)

    @work(group="canned-use", exit_on_error=False)
    async def _record_use(self, canned_id: int) -> None:
        await self.services.store.record_canned_use(canned_id)

    @on(Composer.DraftChanged)
    def _save_draft(self, event: Composer.DraftChanged) -> None:
        self._write_draft(event.ticket_id, event.kind, event.body)

    @work(group="draft", exit_on_error=False)
    async def _write_draft(self, ticket_id: int, kind: DraftKind, body: str) -> None:
        store, agent = self.services.store, self.services.agent
        async with self.draft_writes.turn(ticket_id) as newest:
            if not newest:
                return
            try:
                if body.strip():
                    await store.save_draft(Draft(agent.id, ticket_id, body, kind))
                else:
                    await store.delete_draft(agent.id, ticket_id)
            except StoreUnwritable as error:
                self._cannot_write(ticket_id, kind, body, error)
                return
        self._could_write(ticket_id)

    def _cannot_write(self, ticket_id: int, kind: DraftKind, body: str, error: StoreUnwritable) -> None:
        """The store took nothing: the text is kept in a file of the agent's own (and
        stays in the composer), and the agent is told why, once for each reason."""
        kept = self.services.kept
        if body.strip():
            place = shown_path(kept.keep(ticket_id, kind, body))
            where = f"Your text stays here, and in {place}, until the store can take it."
        else:
            kept.forget(ticket_id)
            where = "Nothing you wrote is lost."
        if self.services.unwritable != str(error):
            self.services.unwritable = str(error)
            self.notify(f"{error}.\n{where}", severity="error", title="Store cannot be written", timeout=30)

    def _could_write(self, ticket_id: int) -> None:
        self.services.kept.forget(ticket_id)
        if self.services.unwritable is not None:
            self.services.unwritable = None
            self.notify("The store takes what you write again.", title="Store")

    async def _nothing_changed_meanwhile(self, ticket_id: int, seen: Seen) -> bool:
        """True to go on. If the customer or another agent wrote, or someone changed the
        ticket, after what the agent saw of it when they sent, show what happened first
        and ask, naming the ticket (in play mode the pane is on the next one by then).
        Offline there is nothing to compare with: the message goes to the outbox as it
        is."""
        store = self.services.store
        try:
            latest = await store.get_messages(ticket_id, limit=MESSAGES_PER_PAGE)
            current = await store.get_ticket(ticket_id)
        except StoreUnavailable:
            return True
        fresh = [
            m for m in latest.messages if m.id > seen.last_message_id and m.agent_id != self.services.agent.id
        ]
        before = seen.ticket
        changed = []
        if before is not None and before.id == ticket_id and before.version != current.version:
            changed = [line for line in describe_changes(before, current) if "new message" not in line]
        if not fresh and not changed:
            return True
        if fresh and self.shows(ticket_id):
            self.conversation.append(latest.messages)
        self._show_changed(current)
        body_text = Text()
        for message in fresh[-3:]:
            body_text.append_text(message_text(message, self.services.clock()))
            body_text.append("\n\n")
        if changed:
            body_text.append("The ticket changed:\n", style="bold")
            body_text.append("".join(f"• {line}\n" for line in changed) + "\n")
        body_text.append("Send your text as it is, or go back and edit it?")
        who = f"{sanitize_line(fresh[-1].author_name)} wrote" if fresh else "Changed"
        answer = await self.app.push_screen_wait(
            AskScreen(
                f"#{ticket_id}: {who} while you typed", body_text, [("send", "Send anyway"), ("edit", "Edit")]
            )
        )
        if self.shows(ticket_id):
            self.seen_when_writing = current  # shown now: the next send asks only about what follows
        return answer == "send"

    def _show_changed(self, current: Ticket) -> None:
        """Someone else's change: shown, without moving the agent's baseline."""
        if self.ticket is not None and self.ticket.id == current.id:
            self.ticket = current
            self._show_header()

    # Changing the ticket

    def change(self, changes: TicketChanges, done: str) -> None:
        if self.ticket is not None:
            self._change(self.ticket, changes, done)

    @work(group="ticket-change", exit_on_error=False)
    async def _change(self, seen: Ticket, changes: TicketChanges, done: str) -> None:
        try:
            ticket = await self.services.store.update_ticket(
                seen.id, changes, expected_version=seen.version, actor_id=self.services.agent.id
            )
        except Conflict as conflict:
            self._conflict(seen, conflict.current)
            return
        except Queued as queued:
            title = f"#{seen.id} offline"
            self.notify(f"{queued}\nThe change: {done.lower()}", severity="warning", title=title)
            return
        self._updated(ticket)
        self.notify(done, title=f"#{ticket.id}")

    def _conflict(self, seen: Ticket, current: Ticket) -> None:
        what = describe_changes(seen, current) or ["it was changed"]
        self.notify(
            "Someone changed this ticket while you looked:\n"
            + "\n".join(f"• {line}" for line in what)
            + "\nNothing was changed. The ticket shows its current state now;"
            " try again if you still want to.",
            severity="warning",
            title=f"#{current.id} changed",
            timeout=12,
        )
        self._updated(current)

    def _updated(self, ticket: Ticket) -> None:
        if self.seen_when_writing is not None and self.seen_when_writing.id == ticket.id:
            self.seen_when_writing = ticket  # the agent's own change: nothing to warn about
        if self.ticket is not None and self.ticket.id == ticket.id:
            self.ticket = ticket
            self._show_header()
        self.post_message(self.Changed(ticket))
