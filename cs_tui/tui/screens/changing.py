"""Changing tickets from the main screen: `a` assign to me, `s` status, `p` priority,
`t` tags. They apply to the marked tickets, else the highlighted or open one;
several at once after a confirmation that says how many. What cannot reach the
store waits in the outbox, which this screen empties when the store is back."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen

from cs_tui.domain.models import Draft, DraftKind, Priority, Status, Ticket, TicketChanges
from cs_tui.store.base import Conflict, StoreError, StoreUnavailable
from cs_tui.tui.format import plural, status_label
from cs_tui.tui.outbox import Delivery
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

    @on(OutboxChanged)
    def _outbox_changed(self) -> None:
        self._show_outbox()

    def _targets(self) -> list[Ticket]:
        """The marked tickets, else the highlighted one in the queue, else the open one."""
        queue = self.queue
        if queue.marked:
            return [t for t in queue.rows if t.id in queue.marked]
        if self._in_queue() and queue.current is not None:
            if self.ticket_pane.ticket is not None and self.ticket_pane.ticket.id == queue.current.id:
                return [self.ticket_pane.ticket]
            return [queue.current]
        return [self.ticket_pane.ticket] if self.ticket_pane.ticket is not None else []

    def action_assign_me(self) -> None:
        targets = self._targets()
        me = self.services.agent
        self._apply_changes(targets, TicketChanges(assignee_id=me.id), f"assigned to {me.name}")

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
            pane.change(changes, done.capitalize())
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
            except StoreUnavailable:
                self.services.outbox.add_change(ticket.id, changes, ticket.version, done)
                waiting.append(ticket.id)
            except StoreError as error:
                failed.append(f"#{ticket.id}: {error}")
        self.queue.marked.clear()
        self.queue.reload()
        if len(targets) == 1 and changed:
            self.notify(done.capitalize(), title=f"#{changed[0].id}")
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
            self.post_message(OutboxChanged())
        lines.extend(failed)
        trouble = conflicts or failed or waiting
        self.notify("\n".join(lines), severity="warning" if trouble else "information")

    # The outbox

    @work(exclusive=True, group="outbox", exit_on_error=False)
    async def deliver_outbox(self) -> None:
        """Send what waits in the outbox, if anything does and the store answers."""
        outbox = self.services.outbox
        if not outbox:
            return
        delivery = await outbox.deliver(self.services.store, self.services.agent.id)
        self._show_outbox(offline=delivery.offline)
        await self._report(delivery)

    async def _report(self, delivery: Delivery) -> None:
        store, me = self.services.store, self.services.agent
        if delivery.sent:
            tickets = sorted({waiting.ticket_id for waiting, _ in delivery.sent})
            what = "what waited" if len(delivery.sent) > 1 else f"your waiting {delivery.sent[0][0].what}"
            self.notify(
                f"The store is back: {what} went out, on " + ", ".join(f"#{i}" for i in tickets) + ".",
                title="Outbox sent",
            )
            self.queue.reload()
        for waiting, error in delivery.refused:
            if waiting.message is not None:
                kind = DraftKind.NOTE if waiting.message.internal else DraftKind.REPLY
                kept = " It is kept as your draft there."
                try:
                    await store.save_draft(Draft(me.id, waiting.ticket_id, waiting.message.body, kind))
                except StoreError:
                    kept = f" Its text: {waiting.message.body}"
                self.notify(f"{error}{kept}", severity="error", title=f"#{waiting.ticket_id}: not sent")
            else:
                self.notify(
                    f"{waiting.done} was not made: {error}", severity="warning", title=f"#{waiting.ticket_id}"
                )

    def _show_outbox(self, *, offline: bool = True) -> None:
        waiting = len(self.services.outbox)
        self.key_hints.status = f"offline, {waiting} waiting" if waiting and offline else ""
