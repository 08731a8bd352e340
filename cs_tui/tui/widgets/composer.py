"""The reply and note composer: which one you write is unmistakable, and so is where a
reply goes (by email through the ticket's mailbox, or nowhere but cs-tui); the text is
kept as a draft while you type, and placeholders left unfilled are marked."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static, TextArea
from textual.widgets.text_area import Document, Selection

from cs_tui.domain.models import CannedActions, DraftKind, Ticket
from cs_tui.domain.reply_windows import reply_window
from cs_tui.domain.templates import find_placeholders
from cs_tui.domain.timeutil import utcnow
from cs_tui.tui.format import CHANNEL_LABEL, addresses, describe_actions, in_a_notice
from cs_tui.tui.widgets.ticket_header import keep_to_rows

DRAFT_DELAY = 0.5
"""Seconds of quiet typing after which the draft is written to the store."""
NOTE_TITLE = "Internal note — only agents see this"
TITLE_ROWS = 2
"""The rows the title may take: who a reply goes to, and how."""


def reply_title(ticket: Ticket | None, now: datetime | None = None) -> Text:
    """Who a reply goes to and how, in words: "Reply to Budi <budi@example.com> by
    email, cc ani@example.com" for a ticket that came in through a mailbox; for one
    that did not, that the reply stays in cs-tui; on WhatsApp, Messenger and Instagram
    outside the customer's reply window, what can still go out and why. Customer
    text, never markup."""
    if ticket is None:
        return Text("Reply to the customer")
    customer = ticket.customer
    who = in_a_notice(customer.name, 40) or "the customer"
    title = Text(f"Reply to {who}")
    if customer.email:
        title.append(f" <{in_a_notice(customer.email, 60)}>")
    if ticket.channel_name is None:
        title.append(" · stays in cs-tui: this ticket did not come in through a mailbox")
        return title
    title.append(f" by {CHANNEL_LABEL[ticket.replies_by or ticket.channel]}")
    if ticket.cc:
        title.append(f", cc {addresses(ticket.cc, most=2)}")
    window = reply_window(ticket.conversation_kind or "", ticket.customer_wrote_at, now or utcnow())
    if window.has_window and not window.open and window.kind == "whatsapp":
        # What can still go out first: the title keeps to two rows.
        title.append(" · only an approved template can go out (T picks one): ", style="bold")
        title.append(window.says().partition(":")[0])
    elif window.has_window and (not window.open or window.needs_human_agent_tag):
        title.append(f" · {window.says()}", style="bold")
    return title


def _addressed(ticket: Ticket) -> tuple[object, ...]:
    """What the reply title says of a ticket."""
    return (ticket.customer.name, ticket.customer.email, ticket.replies_by, ticket.channel_name, ticket.cc)


class ComposerArea(TextArea):
    """The text area. ctrl+s is the screen's, not a priority binding, so it waits for
    the keys typed before it to reach the text; ctrl+e (end of line in a TextArea)
    opens $EDITOR here, as the composer's hint says."""

    BINDINGS = [Binding("ctrl+e", "screen.editor", "$EDITOR", show=False, id="editor")]


class Composer(Vertical):
    """Write a public reply (to the customer, by the ticket's channel when it has one)
    or an internal note."""

    DEFAULT_CSS = """
    Composer { height: 12; display: none; border: round $success; padding: 0 0; }
    Composer.-open { display: block; }
    Composer.-note { border: double $warning; background: $internal-note; }
    Composer > #composer-title { height: auto; max-height: 2; padding: 0 1; text-style: bold; }
    Composer.-reply > #composer-title { color: $success; }
    Composer.-note > #composer-title { color: $warning; }
    Composer > #composer-hint { height: 1; padding: 0 1; color: $text-muted; }
    Composer > #composer-hint.-missing { color: $error; text-style: bold; }
    Composer > ComposerArea, Composer > ComposerArea:focus { height: 1fr; border: none; padding: 0 1; }
    """

    kind: reactive[DraftKind] = reactive(DraftKind.REPLY)
    """A public reply or an internal note."""

    class OpenedOrClosed(Message):
        """The agent started or stopped writing (others see them as replying)."""

    class DraftChanged(Message):
        """The text changed and has been quiet for DRAFT_DELAY: save it."""

        def __init__(self, ticket_id: int, kind: DraftKind, body: str) -> None:
            super().__init__()
            self.ticket_id = ticket_id
            self.kind = kind
            self.body = body

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket_id: int | None = None
        self.ticket: Ticket | None = None
        """The ticket as it was when the composer opened or last heard of it: who a
        reply goes to, and how."""
        self.client_id = str(uuid.uuid4())
        """Sent with the message, so a retried send is stored once."""
        self.sending: set[str] = set()
        """The client ids of the messages on their way (a second ctrl+s sends nothing
        more); the next ticket's text, in play mode, goes meanwhile."""
        self.on_send = CannedActions()
        """What the canned responses put in the text do to the ticket: done when it is
        sent, taken back with it by undo, dropped with the text."""
        self.hold_drafts = False
        """The ticket is still loading (its draft not read yet): what is typed is saved
        once it has, so that it never replaces the draft before it is seen."""
        self._title = Text()
        self._save_timer: Timer | None = None
        self._stored = ""
        """The text as the store has it (the draft saved last): no need to save it again."""

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="composer-title")
        yield ComposerArea(id="composer-area", soft_wrap=True, show_line_numbers=False)
        yield Static(id="composer-hint")

    @property
    def area(self) -> ComposerArea:
        return self.query_one(ComposerArea)

    @property
    def text(self) -> str:
        return self.area.text

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    @property
    def has_unsaved_typing(self) -> bool:
        """Whether text typed is waiting for its quiet DRAFT_DELAY to be saved as the draft."""
        return self._save_timer is not None

    def open(
        self,
        ticket_id: int,
        kind: DraftKind,
        *,
        ticket: Ticket | None = None,
        body: str | None = None,
        focus: bool = True,
    ) -> None:
        """Show the composer for a ticket; `body` replaces the text (a restored draft).
        Without `focus` it is shown for the agent to see, and keys stay commands."""
        if self.ticket_id != ticket_id:
            self.client_id = str(uuid.uuid4())
        self.ticket_id = ticket_id
        self.ticket = ticket
        self.kind = kind
        self._retitle(kind)
        if body is not None:
            self.area.load_text(body)
            self.area.move_cursor(self.area.document.end)
            self._stored = body
        if not self.is_open:
            self.add_class("-open")
            self.post_message(self.OpenedOrClosed())
        self._update_hint()
        if focus:
            self.area.focus()

    def close(self) -> None:
        if self.is_open:
            self.remove_class("-open")
            self.post_message(self.OpenedOrClosed())

    def clear(self) -> None:
        """After a send: empty, a new client id for the next message."""
        if self.area.text:
            self.area.load_text("")  # which forgets the undo history too
        else:  # left alone: loading "" would repaint it
            self.area.history.clear()
        self._stored = ""
        self.client_id = str(uuid.uuid4())
        self.on_send = CannedActions()
        self._cancel_save()

    def forget(self) -> None:
        """Another ticket is opened: drop this one's text (its draft is in the store)."""
        self.flush()
        self.clear()
        self.close()
        self.hold_drafts = False  # its ticket's load, if still going, is cancelled
        self.ticket_id = None
        self.ticket = None

    def watch_kind(self, kind: DraftKind) -> None:
        self._retitle(kind)

    def _retitle(self, kind: DraftKind) -> None:
        self.set_class(kind is DraftKind.NOTE, "-note")
        self.set_class(kind is DraftKind.REPLY, "-reply")
        now = self.app.services.clock() if hasattr(self.app, "services") else None
        self._title = Text(NOTE_TITLE) if kind is DraftKind.NOTE else reply_title(self.ticket, now)
        self._fit_title()
        self._update_hint()

    def on_resize(self) -> None:
        self._fit_title()

    def _fit_title(self) -> None:
        """The title on TITLE_ROWS rows at most, the last cut with an ellipsis: the
        address and the way out stay in sight, the text area keeps its rows."""
        title = self.query_one("#composer-title", Static)
        width = title.content_region.width or self.content_region.width - 2
        if width <= 0:  # not laid out yet (closed): fitted when it shows
            title.update(self._title)
            return
        title.update(Text("\n").join(keep_to_rows(self._title, width, TITLE_ROWS, self.app.console)))
        title.refresh()

    def readdress(self, ticket: Ticket) -> None:
        """The ticket changed (a Cc added by the customer's mail): the title follows."""
        if ticket.id != self.ticket_id:
            return
        before, self.ticket = self.ticket, ticket
        if before is None or _addressed(before) != _addressed(ticket):
            self._retitle(self.kind)

    def insert(self, text: str) -> None:
        """Text at the cursor (a canned response); the first placeholder left unfilled
        is selected, so typing replaces it."""
        document = cast(Document, self.area.document)
        start = document.get_index_from_location(self.area.selection.end)
        self.area.insert(text)
        self.area.focus()
        self._update_hint()
        for placeholder in find_placeholders(self.text):
            if placeholder.start >= start:
                self.area.selection = Selection(
                    document.get_location_from_index(placeholder.start),
                    document.get_location_from_index(placeholder.end),
                )
                break

    def add_actions(self, actions: CannedActions) -> None:
        """A canned response's actions, to be done when the text is sent."""
        self.on_send = self.on_send.then(actions)
        self._update_hint()

    def replace_text(self, text: str) -> None:
        """The whole text, as the agent's editor left it; saved as the draft."""
        self.area.load_text(text.rstrip("\n"))
        self.area.move_cursor(self.area.document.end)
        self.area.focus()

    def missing_placeholders(self) -> list[str]:
        return [p.name for p in find_placeholders(self.text)]

    @on(TextArea.Changed, "#composer-area")
    def _schedule_draft(self) -> None:
        if not self.text.strip():  # the text they came with is gone: so are they
            self.on_send = CannedActions()
        self._update_hint()
        self._cancel_save()
        if self.text != self._stored:
            self._save_timer = self.set_timer(DRAFT_DELAY, self.flush)

    def flush(self) -> None:
        """Save the draft now, if there is unsaved typing."""
        if self._save_timer is None or self.ticket_id is None or self.hold_drafts:
            return
        self._cancel_save()
        self._stored = self.text
        self.post_message(self.DraftChanged(self.ticket_id, self.kind, self._stored))

    def _cancel_save(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None

    def _update_hint(self) -> None:
        hint = self.query_one("#composer-hint", Static)
        missing = self.missing_placeholders()
        hint.set_class(bool(missing), "-missing")
        if missing:
            names = ", ".join("{{" + name + "}}" for name in dict.fromkeys(missing))
            hint.update(f"Fill in {names} before sending")
        elif not self.on_send.is_empty:
            hint.update(f"ctrl+s send, then {describe_actions(self.on_send)} · esc leave (kept)")
        else:
            hint.update("ctrl+s send · ctrl+e $EDITOR · esc leave (the draft is kept)")
