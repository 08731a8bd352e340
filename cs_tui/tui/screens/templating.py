"""The main screen's `T`: an approved WhatsApp template for a customer whose 24 hours
are over, picked from those set up with the ticket's channel and put in the reply
with its placeholders filled from the ticket (domain.messaging)."""

from __future__ import annotations

from textual import work

from cs_tui.domain.models import DraftKind
from cs_tui.domain.templates import context_for
from cs_tui.store.base import StoreError
from cs_tui.tui.screens.moves import MovesTickets
from cs_tui.tui.screens.pickers import ChoiceScreen


class OffersTemplates(MovesTickets):
    """The base of MainScreen that offers a channel's approved templates."""

    @work(group="pick", exit_on_error=False)
    async def action_template(self) -> None:
        target = self._target()
        if target is None:
            self.notify("Pick a ticket first, then press T.", severity="warning")
            return
        try:
            offered = await self.services.store.reply_templates(target.channel_name or "")
        except StoreError as error:
            self.notify(f"{error}. Try again.", severity="error", title="No templates")
            return
        if not offered:
            self.notify(
                "This ticket's channel has no approved templates set up: `cs-tui channel add whatsapp "
                "... --template name:language:placeholders` (docs/meta.md).",
                severity="warning",
                title="No templates",
            )
            return
        choices = [
            (str(template), f"{template.name} ({template.language}), {template.params} to fill")
            for template in offered
        ]
        picked = await self.app.push_screen_wait(ChoiceScreen("An approved WhatsApp template", choices))
        template = next((each for each in offered if str(each) == picked), None)
        if template is None:
            return
        pane = self.ticket_pane
        if pane.ticket is None or pane.ticket.id != target.id:
            await pane.open(target.id, compose=DraftKind.REPLY, seen=target).wait()
        self._set_side(ticket=True)
        pane.insert_reply(template.reply(context_for(target, self.services.agent)))
