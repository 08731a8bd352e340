"""Changing tickets from the main screen: `a` assign to me, `s` status, `p` priority,
`t` tags. They apply to the marked tickets, else the highlighted or open one;
several at once after a confirmation that says how many. What cannot reach the
store waits in its outbox; this screen says what the outbox does."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from textual import events, on, work
from textual.screen import Screen

from cs_tui.domain.models import Priority, Status, Ticket, TicketChanges
from cs_tui.store.base import Conflict, Queued, StoreError
from cs_tui.store.outbox import Delivery, OutboxStore
from cs_tui.tui.format import in_a_notice, plural, sentence, status_label
from cs_tui.tui.screens.pickers import AskScreen, ChoiceScreen, TagsScreen
from cs_tui.tui.services import HasServices, OutboxChanged
from cs_tui.tui.widgets.key_hints import KeyHints

if TYPE_CHECKING:
    from cs_tui.tui.widgets.queue import QueueTable
    from cs_tui.tui.widgets.ticket_pane import TicketPane

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
    async def action_status(self) -> None:
        targets = self._targets()
        if targets:
            current = targets[0].status.value if len(targets) == 1 else None
            value = await self.app.push_screen_wait(
                ChoiceScreen(self._title("Status", targets), STATUS_CHOICES, current=current)
            )
            if value is not None:
                self._apply_changes(
                    targets, TicketChanges(status=Status(value)), f"status {status_label(Status(value))}"
                )

    @work(group="pick", exit_on_error=False)
    async def action_priority(self) -> None:
        targets = self._targets()
        if targets:
            current = targets[0].priority.value if len(targets) == 1 else None
            value = await self.app.push_screen_wait(
                ChoiceScreen(self._title("Priority", targets), PRIORITY_CHOICES, current=current)
            )
            if value is not None:
                self._apply_changes(targets, TicketChanges(priority=Priority(value)), f"priority {value}")

    @work(group="pick", exit_on_error=False)
    async def action_tags(self) -> None:
        targets = self._targets()
        if targets:
            current = sorted({tag for t in targets for tag in t.tags})
            picked = await self.app.push_screen_wait(TagsScreen(self._title("Tags", targets), current))
            if picked is not None and (picked[0] or picked[1]):
                add, remove = picked
                words = " ".join([*add, *(f"-{t}" for t in remove)])
                self._apply_changes(targets, TicketChanges(add_tags=add, remove_tags=remove), f"tags {words}")

    @staticmethod
    def _title(what: str, targets: Sequence[Ticket]) -> str:
        if len(targets) == 1:
            return f"{what} of #{targets[0].id}"
        return f"{what} of {len(targets)} marked tickets"

    def _apply_changes(self, targets: list[Ticket], changes: TicketChanges, done: str) -> None:
        if not targets:
            self.notify("No ticket here to change.", severity="warning")
            return
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
