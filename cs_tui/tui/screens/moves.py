"""The main screen's merge (`M`) and split (`S`): the dialogs are in moving.py, the
rules in domain.merging, which the store applies again."""

from __future__ import annotations

from textual import work

from cs_tui.domain.merging import check_merge, check_split
from cs_tui.domain.query import Sort, of_customer
from cs_tui.domain.rules import RuleBroken
from cs_tui.store.base import Conflict, InvalidInput, NotFound, StoreError
from cs_tui.tui.format import plural
from cs_tui.tui.screens.commanding import Commanding
from cs_tui.tui.screens.moving import MergeScreen, SplitScreen, can_take_a_merge, merge_question
from cs_tui.tui.screens.pickers import AskScreen

CANDIDATES = 8
"""Of the customer's other tickets, those offered to merge into (latest activity first)."""


class MovesTickets(Commanding):
    """The base of MainScreen that merges and splits tickets."""

    @work(group="pick", exit_on_error=False)
    async def action_merge(self) -> None:
        """Merge the ticket the agent sees into another, after saying what it will do."""
        merged = self._target()
        if merged is None:
            return
        store = self.services.store
        try:
            page = await store.list_tickets(of_customer(merged.customer.id), sort=Sort.UPDATED, limit=50)
        except StoreError as error:
            self.notify(f"{error}. Nothing was merged.", severity="error", title="Not merged")
            return
        others = [t for t in page.tickets if t.id != merged.id and can_take_a_merge(t)][:CANDIDATES]
        number = await self.app.push_screen_wait(MergeScreen(merged, others))
        if number is None:
            return
        try:
            into = await store.get_ticket(number)
            check_merge(merged, into)
        except NotFound:
            self.notify(f"There is no ticket #{number}.", severity="warning", title="Not merged")
            return
        except RuleBroken as refusal:
            self.notify(f"{refusal}.", severity="warning", title="Not merged")
            return
        answer = await self.app.push_screen_wait(
            AskScreen(
                f"Merge #{merged.id} into #{into.id}?",
                merge_question(merged, into),
                [("merge", "Merge"), ("no", "Cancel")],
            )
        )
        if answer != "merge":
            return
        try:
            done = await store.merge_tickets(
                merged.id,
                into.id,
                expected_version=merged.version,
                into_expected_version=into.version,
                actor_id=self.services.agent.id,
            )
        except Conflict as conflict:
            changed = conflict.current
            self.notify(
                f"#{changed.id} was changed meanwhile (it is shown as it is now); nothing was merged."
                " Look at it, then merge again.",
                severity="warning",
                title="Not merged",
            )
            self.queue.reload()
            return
        except (InvalidInput, StoreError) as error:
            self.notify(f"{error}. Nothing was merged.", severity="error", title="Not merged")
            return
        moved = plural(done.moved_messages, "message")
        self.notify(f"#{merged.id} merged into #{into.id}: {moved} moved.", title=f"#{into.id}")
        await self.run_action(f"open_number({into.id})")

    @work(group="pick", exit_on_error=False)
    async def action_split(self) -> None:
        """Split the thread's marked message (and maybe those after it) into a new ticket."""
        pane = self.ticket_pane
        ticket, message = pane.ticket, pane.conversation.marked_message
        if ticket is None or message is None or self._in_queue():
            self.notify(
                "Open the ticket and mark the message to split off (j and k move the mark), then S.",
                severity="warning",
            )
            return
        shown = pane.conversation.messages
        if not pane.conversation.has_earlier:  # the whole thread is here: the rules say now
            try:
                check_split(ticket, shown, message.id)
            except RuleBroken as refusal:
                self.notify(f"{refusal}.", severity="warning", title="Not split")
                return
        after = len(shown) - 1 - next(i for i, m in enumerate(shown) if m.id == message.id)
        answer = await self.app.push_screen_wait(SplitScreen(ticket, message, after))
        if answer is None:
            return
        subject, and_after = answer
        try:
            done = await self.services.store.split_ticket(
                ticket.id,
                message.id,
                and_after=and_after,
                subject=subject or None,
                expected_version=ticket.version,
                actor_id=self.services.agent.id,
            )
        except Conflict:
            self.notify(
                f"#{ticket.id} was changed meanwhile (it is shown as it is now); nothing was split."
                " Look at it, then split again.",
                severity="warning",
                title="Not split",
            )
            pane.follow(whole=True)
            return
        except (InvalidInput, StoreError) as error:
            self.notify(f"{error}. Nothing was split.", severity="warning", title="Not split")
            return
        moved = plural(done.moved_messages, "message")
        self.notify(f"{moved} of #{ticket.id} split off into #{done.split.id}.", title=f"#{done.split.id}")
        await self.run_action(f"open_number({done.split.id})")
