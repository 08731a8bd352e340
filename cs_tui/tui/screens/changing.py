"""Changing tickets from the main screen: `a` assign to me, `s` status, `p` priority,
`t` tags. They apply to the marked tickets, else the highlighted or open one;
several at once after a confirmation that says how many. What cannot reach the
store waits in its outbox; this screen says what the outbox does."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from textual import events, on, work
from textual.screen import Screen

from cs_tui.domain.agents import agents_named
from cs_tui.domain.models import CannedResponse, NewMessage, Priority, Status, Ticket, TicketChanges
from cs_tui.domain.rules import RuleBroken
from cs_tui.domain.snooze import parse_until, until_words
from cs_tui.domain.templates import context_for, render
from cs_tui.store.base import Conflict, Queued, StoreError
from cs_tui.store.outbox import Delivery, OutboxStore
from cs_tui.tui.format import describe_actions, in_a_notice, plural, sentence, status_label
from cs_tui.tui.screens.pickers import AskScreen, ChoiceScreen, TagsScreen, tag_words
from cs_tui.tui.screens.snoozing import SnoozeScreen
from cs_tui.tui.screens.team import NOBODY, TeamPicker
from cs_tui.tui.services import HasServices, OutboxChanged
from cs_tui.tui.widgets.key_hints import KeyHints

if TYPE_CHECKING:
    from cs_tui.tui.widgets.queue import QueueTable
    from cs_tui.tui.widgets.ticket_pane import TicketPane

E = TypeVar("E", Status, Priority)


def _known(kind: type[E], value: str, screen: Screen[None]) -> E | None:
    """The status or priority `value` names (an underscore or a space alike), or None
    after saying which there are."""
    if not value:
        return None
    try:
        return kind(value.strip().lower().replace(" ", "_"))
    except ValueError:
        known = ", ".join(member.value.replace("_", " ") for member in kind)
        screen.notify(f"No {kind.__name__.lower()} {value!r}: one of {known}.", severity="warning")
        return None


STATUS_CHOICES = [(s.value, status_label(s)) for s in Status]
PRIORITY_CHOICES = [(p.value, p.value) for p in reversed(Priority)]


class ChangesTickets(HasServices, Screen[None]):
    """The base of MainScreen, which says where the queue and the open ticket are and
    whether the agent is in the queue."""

    @property
    def queue(self) -> QueueTable:
        raise NotImplementedError

    @property
    def ticket_pane(self) -> TicketPane:
        raise NotImplementedError

    def _in_queue(self) -> bool:
        raise NotImplementedError

    @property
    def key_hints(self) -> KeyHints:
        return self.query_one(KeyHints)

    def _target(self) -> Ticket | None:
        """The one ticket the agent sees and acts on: the highlighted row while the queue
        is where the agent is (the open ticket, when it is that one), else the open one."""
        highlighted, opened = self.queue.current, self.ticket_pane.ticket
        if self._in_queue() and highlighted is not None:
            return opened if opened is not None and opened.id == highlighted.id else highlighted
        return opened

    def _targets(self) -> list[Ticket]:
        """The marked tickets, else the one the agent sees (_target)."""
        queue = self.queue
        if queue.marked:
            return [t for t in queue.rows if t.id in queue.marked]
        target = self._target()
        return [target] if target is not None else []

    @work(group="pick", exit_on_error=False)
    async def action_assign_me(self) -> None:
        """Take the tickets; taking a colleague's asks first, naming them."""
        targets = self._targets()
        me = self.services.agent
        theirs = [t for t in targets if t.assignee is not None and t.assignee.id != me.id]
        if theirs:
            names = sorted({in_a_notice(t.assignee.name, 40) for t in theirs if t.assignee is not None})
            whose = names[0] if len(names) == 1 else ", ".join(names)
            which = f"#{theirs[0].id} is" if len(theirs) == 1 else f"{len(theirs)} of them are"
            answer = await self.app.push_screen_wait(
                AskScreen(
                    f"Take {'it' if len(targets) == 1 else 'them'} from {whose}?",
                    f"{which} assigned to {whose}.",
                    [("take", "Take"), ("no", "Leave it")],
                )
            )
            if answer != "take":
                return
        mine = [t for t in targets if t.assignee is None or t.assignee.id != me.id]
        if targets and not mine:
            self.notify("Already yours.", title=f"#{targets[0].id}" if len(targets) == 1 else "")
            return
        self._apply_changes(mine, TicketChanges(assignee_id=me.id), f"assigned to {me.name}")

    @work(group="pick", exit_on_error=False)
    async def action_status(self, value: str = "") -> None:
        """Set the status: the one given (`:status pending`), or one picked."""
        targets = self._targets()
        if not targets:
            return
        if not value:
            current = targets[0].status.value if len(targets) == 1 else None
            picked: str | None = await self.app.push_screen_wait(
                ChoiceScreen(self._title("Status", targets), STATUS_CHOICES, current=current)
            )
            value = picked or ""
        status = _known(Status, value, self)
        if status is not None:
            self._apply_changes(targets, TicketChanges(status=status), f"status {status_label(status)}")

    @work(group="pick", exit_on_error=False)
    async def action_priority(self, value: str = "") -> None:
        """Set the priority: the one given (`:priority urgent`), or one picked."""
        targets = self._targets()
        if not targets:
            return
        if not value:
            current = targets[0].priority.value if len(targets) == 1 else None
            picked: str | None = await self.app.push_screen_wait(
                ChoiceScreen(self._title("Priority", targets), PRIORITY_CHOICES, current=current)
            )
            value = picked or ""
        priority = _known(Priority, value, self)
        if priority is not None:
            self._apply_changes(targets, TicketChanges(priority=priority), f"priority {priority.value}")

    @work(group="pick", exit_on_error=False)
    async def action_assign(self, who: str = "") -> None:
        """Assign to anyone, or nobody: the agent given (`:assign dewi`, `:assign none`),
        or one picked from the team, filtered as the agent types."""
        targets = self._targets()
        if not targets:
            return
        team = await self.services.store.list_agents()
        if not who:
            current = targets[0].assignee.id if len(targets) == 1 and targets[0].assignee else None
            picked: str | None = await self.app.push_screen_wait(
                TeamPicker(self._title("Assign", targets), team, current=current)
            )
            who = picked or ""
            if not who:
                return
        if who in (NOBODY, "none", "nobody"):
            self._apply_changes(targets, TicketChanges(assignee_id=None), "unassigned")
            return
        named = [self.services.agent] if who == "me" else agents_named(team, who)
        if len(named) != 1:
            said = "nobody of the team" if not named else "several: " + ", ".join(a.name for a in named[:5])
            self.notify(f"{who!r} names {said}; give a name or an address.", severity="warning")
            return
        self._apply_changes(targets, TicketChanges(assignee_id=named[0].id), f"assigned to {named[0].name}")

    @work(group="pick", exit_on_error=False)
    async def action_tags(self, given: str = "") -> None:
        """Add and remove tags: the words given (`:tag refund -spam`), or typed."""
        targets = self._targets()
        if targets:
            picked = tag_words(given) if given else None
            if picked is None:
                current = sorted({tag for t in targets for tag in t.tags})
                picked = await self.app.push_screen_wait(TagsScreen(self._title("Tags", targets), current))
            if picked is not None and (picked[0] or picked[1]):
                add, remove = picked
                words = " ".join([*add, *(f"-{t}" for t in remove)])
                self._apply_changes(targets, TicketChanges(add_tags=add, remove_tags=remove), f"tags {words}")

    @work(group="pick", exit_on_error=False)
    async def action_snooze(self, given: str = "") -> None:
        """Pending until a time, then open again: the time given (`:snooze besok 14:00`;
        `:snooze off` ends a snooze, back open), or one picked or typed."""
        targets = self._targets()
        if not targets:
            return
        now = self.services.clock()
        if given.strip().lower() in ("off", "stop", "end"):
            snoozed = [t for t in targets if t.snoozed_until is not None]
            if not snoozed:
                self.notify("Not snoozed: nothing to end.", severity="warning")
                return
            self._apply_changes(snoozed, TicketChanges(status=Status.OPEN), "snooze ended, open")
            return
        until: datetime | None
        if given:
            try:
                until = parse_until(given, now=now)
            except RuleBroken as problem:
                self.notify(f"{problem}.", severity="warning", title="Not snoozed")
                return
        else:
            until = await self.app.push_screen_wait(
                SnoozeScreen(self._title("Snooze", targets), self.services.clock)
            )
        if until is not None:
            words = until_words(until, now=now)
            self._apply_changes(targets, TicketChanges(snoozed_until=until), f"snoozed until {words}")

    @work(group="bulk", exit_on_error=False)
    async def _canned_to_each(self, targets: list[Ticket], canned: CannedResponse) -> None:
        """A canned reply to each marked ticket, filled in for each one's customer, and
        what it does to the ticket done on each, once the agent says yes. A ticket whose
        reply would keep a placeholder unfilled is left as it is, and said."""
        me, store = self.services.agent, self.services.store
        answer = await self.app.push_screen_wait(
            AskScreen(
                f"Send {canned.title!r} to {plural(len(targets), 'ticket')}?",
                f"Each with its own customer's name: {', '.join(f'#{t.id}' for t in targets[:12])}"
                + ("…" if len(targets) > 12 else "")
                + (f"\nThen: {describe_actions(canned.actions)}." if not canned.actions.is_empty else ""),
                [("send", f"Send {len(targets)}"), ("no", "Cancel")],
            )
        )
        if answer != "send":
            return
        sent: list[int] = []
        skipped: list[str] = []
        for ticket in targets:
            filled = render(canned.body, context_for(ticket, me))
            if filled.missing:
                skipped.append(f"#{ticket.id}: {{{{{filled.missing[0].name}}}}} has no value")
                continue
            try:
                await store.add_message(ticket.id, NewMessage(str(uuid.uuid4()), filled.text), actor_id=me.id)
                if not canned.actions.is_empty:
                    now = await store.get_ticket(ticket.id)
                    add = tuple(t for t in canned.actions.add_tags if t not in now.tags)
                    changes = TicketChanges(
                        status=canned.actions.status, priority=canned.actions.priority, add_tags=add
                    )
                    await store.update_ticket(
                        ticket.id, changes, expected_version=now.version, actor_id=me.id
                    )
            except StoreError as error:
                skipped.append(f"#{ticket.id}: {error}")
                continue
            sent.append(ticket.id)
        if canned.id is not None and sent:
            await store.record_canned_use(canned.id)
        self.queue.unmark_all()
        self.queue.reload()
        lines = [f"{canned.title}: sent to {plural(len(sent), 'ticket')}.", *skipped]
        self.notify("\n".join(lines), severity="warning" if skipped else "information")

    @staticmethod
    def _title(what: str, targets: Sequence[Ticket]) -> str:
        if len(targets) == 1:
            return f"{what} of #{targets[0].id}"
        return f"{what} of {len(targets)} marked tickets"

    def action_repeat(self) -> None:
        """`.`: the last change again, on the ticket the agent sees now (or the marked ones)."""
        if self._last_change is None:
            self.notify("Nothing to repeat yet: change a ticket first (a, s, p, t).", severity="warning")
            return
        changes, done = self._last_change
        self._apply_changes(self._targets(), changes, done)

    _last_change: tuple[TicketChanges, str] | None = None
    """The last change the agent made, for `.`."""

    def _apply_changes(self, targets: list[Ticket], changes: TicketChanges, done: str) -> None:
        if not targets:
            self.notify("No ticket here to change.", severity="warning")
            return
        self._last_change = (changes, done)
        pane = self.ticket_pane
        if len(targets) == 1 and pane.ticket is not None and targets[0].id == pane.ticket.id:
            pane.change(changes, sentence(done))
            return
        self._bulk(targets, changes, done)

    @work(group="bulk", exit_on_error=False)
    async def _bulk(self, targets: list[Ticket], changes: TicketChanges, done: str) -> None:
        if len(targets) > 1:
            answer = await self.app.push_screen_wait(
                AskScreen(
                    f"Change {len(targets)} tickets?",
                    f"Set {done} on {plural(len(targets), 'marked ticket')}: "
                    + ", ".join(f"#{t.id}" for t in targets[:12])
                    + ("…" if len(targets) > 12 else ""),
                    [("yes", f"Change {len(targets)}"), ("no", "Cancel")],
                )
            )
            if answer != "yes":
                return
        store, me = self.services.store, self.services.agent
        changed: list[Ticket] = []
        conflicts: list[int] = []
        failed: list[str] = []
        waiting: list[int] = []
        for ticket in targets:
            try:
                changed.append(
                    await store.update_ticket(
                        ticket.id, changes, expected_version=ticket.version, actor_id=me.id
                    )
                )
            except Conflict:
                conflicts.append(ticket.id)
            except Queued:
                waiting.append(ticket.id)
            except StoreError as error:
                failed.append(f"#{ticket.id}: {error}")
        self.queue.marked.clear()
        self.queue.reload()
        if len(targets) == 1 and changed:
            self.notify(sentence(done), title=f"#{changed[0].id}")
            return
        lines = [f"{plural(len(changed), 'ticket')} changed: {done}."] if changed or not waiting else []
        if conflicts:
            lines.append(
                "Changed by someone else meanwhile, left as they are: "
                + ", ".join(f"#{i}" for i in conflicts)
                + ". Look at them and try again."
            )
        if waiting:
            lines.append(
                "Offline: waiting in the outbox until the store is back: "
                + ", ".join(f"#{i}" for i in waiting)
            )
        lines.extend(failed)
        trouble = conflicts or failed or waiting
        self.notify("\n".join(lines), severity="warning" if trouble else "information")

    # The outbox

    _stop_listening: Callable[[], None] | None = None

    @on(events.Mount)
    def _follow_outbox(self) -> None:
        store = self.services.store
        if isinstance(store, OutboxStore):
            self._outbox_news(store.latest)  # what it did before this screen was there to hear
            self._stop_listening = store.listen(self._outbox_news)

    def _outbox_news(self, delivery: Delivery) -> None:
        self.post_message(OutboxChanged(delivery))

    @on(events.Unmount)
    def _stop_following_outbox(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()

    @on(OutboxChanged)
    def report_outbox(self, event: OutboxChanged) -> None:
        """What waits, in the key line; what went out or was refused, as notices."""
        delivery = event.delivery
        self._show_outbox(delivery)
        if delivery.sent:
            tickets = sorted({waiting.ticket_id for waiting, _ in delivery.sent})
            what = "what waited" if len(delivery.sent) > 1 else f"your waiting {delivery.sent[0][0].what}"
            self.notify(
                f"The store is back: {what} went out, on " + ", ".join(f"#{i}" for i in tickets) + ".",
                title="Outbox sent",
            )
            self.queue.reload()
        for refusal in delivery.refused:
            waiting = refusal.waiting
            if waiting.message is not None:
                kept = (
                    " It is kept as your draft there."
                    if refusal.kept_as_draft
                    else f" Its text: {waiting.message.body}"
                )
                title = f"#{waiting.ticket_id}: not sent"
                self.notify(f"{refusal.error}{kept}", severity="error", title=title)
            else:
                self.notify(
                    f"The change was not made: {refusal.error}",
                    severity="warning",
                    title=f"#{waiting.ticket_id}",
                )

    def _show_outbox(self, delivery: Delivery) -> None:
        waiting = delivery.waiting
        self.key_hints.status = f"offline, {waiting} waiting" if waiting and delivery.offline else ""
