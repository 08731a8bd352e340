"""A Meta channel's replies out: each sent once by the Graph API, to the customer whose
conversation the ticket is, within the app's reply window (or as an approved WhatsApp
template), its state written before the try, just before Meta is given it and after,
as a mailbox's are (docs/email.md): a crash or a lost answer never sends one twice."""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable, Mapping

from cs_tui.channels.meta.errors import TOKEN_EXPIRED, GraphError, window_reason
from cs_tui.channels.meta.graph import GraphClient
from cs_tui.channels.meta.settings import MetaSettings, SettingsError, read_secret
from cs_tui.channels.queued import deliver_queued, try_later
from cs_tui.domain.channels import DeliveryState, Outgoing
from cs_tui.domain.messaging import TemplateRequest, template_request
from cs_tui.domain.reply_windows import reply_window
from cs_tui.domain.timeutil import utcnow
from cs_tui.store.base import ChannelStore

log = logging.getLogger(__name__)

Report = Callable[[str, bool], None]
ANSWER_LOST = (
    "the connection to Meta was lost while Meta was taking this reply, so it may or may not have gone "
    "out; it is not sent again by itself, so as never to send it twice. Ask the customer, or send it again"
)


class Refused(Exception):
    """A reply that cannot go out as it is; the message says why, for the agent."""


class MetaDelivery:
    """Sends one channel's queued replies, woken by `wake` when a new one is written.
    `sending` is held from handing a reply to Meta until its Meta id is recorded."""

    def __init__(
        self,
        store: ChannelStore,
        name: str,
        settings: MetaSettings,
        *,
        report: Report,
        sending: asyncio.Lock,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self.name = name
        self.settings = settings
        self.kind = settings.kind
        self.sending = sending
        self._report = report
        self._environ = environ
        self._troubled = False

    async def run(self, wake: asyncio.Event) -> None:
        await deliver_queued(self.store, self.name, self.deliver, wake)

    async def deliver(self, outgoing: Outgoing) -> None:
        external_id = outgoing.delivery.external_id or f"cs-tui.{uuid.uuid4().hex}"
        if not await self.store.begin_delivery(outgoing.message_id, external_id):
            return  # another process took it, or it is no longer queued
        handed_over = False
        try:
            to = self._recipient(outgoing)
            template = template_request(outgoing.body) if self.kind == "whatsapp" else None
            human_agent = False
            if template is None:
                wrote = (await self.store.get_ticket(outgoing.ticket_id)).customer_wrote_at
                window = reply_window(self.kind, wrote, utcnow())
                if not window.open:
                    raise Refused(window_reason(self.kind))
                human_agent = window.needs_human_agent_tag
            token = self._token()
            async with GraphClient(self.settings, token) as graph, self.sending:
                await self.store.handing_over(outgoing.message_id)
                handed_over = True
                if template is None:
                    sent_as = await graph.send_text(to, outgoing.body, human_agent=human_agent)
                else:
                    sent_as = await self._send_template(graph, to, template)
                await self.store.finish_delivery(outgoing.message_id, DeliveryState.SENT, external_id=sent_as)
        except Refused as refused:
            await self.store.finish_delivery(outgoing.message_id, DeliveryState.FAILED, reason=str(refused))
        except GraphError as error:
            if error.permanent:
                await self.store.finish_delivery(
                    outgoing.message_id, DeliveryState.FAILED, reason=error.reason
                )
            elif handed_over and error.outcome_unknown:
                await self.store.finish_delivery(
                    outgoing.message_id, DeliveryState.FAILED, reason=ANSWER_LOST
                )
            else:
                await try_later(self.store, outgoing, error.reason)
            if not error.permanent or error.code in (
                0,
                TOKEN_EXPIRED,
            ):  # the channel's trouble, not the reply's
                self._say(f"Meta's Graph API: {error.reason}", ok=False)
            return
        except _Unreadable as error:
            await try_later(self.store, outgoing, str(error))
            self._say(str(error), ok=False)
            return
        self._say(f"sending replies by {_app(self.kind)}", ok=True)

    def _recipient(self, outgoing: Outgoing) -> str:
        """Who the reply goes to: the customer's id on the app, from the ticket's
        conversation (`kind:channel:id`)."""
        conversation = outgoing.conversation or ""
        kind, _, rest = conversation.partition(":")
        recipient = rest.rpartition(":")[2]
        if kind != self.kind or not recipient:
            raise Refused(
                f"this ticket did not come in by {_app(self.kind)}, so there is no one there to send it to"
            )
        return recipient

    async def _send_template(self, graph: GraphClient, to: str, template: TemplateRequest) -> str:
        approved = self.settings.template(template.name, template.language)
        if approved is None:
            known = ", ".join(str(each) for each in self.settings.templates) or "none"
            raise Refused(
                f"no approved template {template.name!r} is set up on this channel (set up: {known}); "
                "add it with `cs-tui channel add whatsapp ... --template NAME:LANGUAGE:PLACEHOLDERS`"
            )
        return await graph.send_template(to, approved.name, approved.language, template.params)

    def _token(self) -> str:
        try:
            return read_secret(self.settings, "access_token", self._environ)
        except SettingsError as error:
            raise _Unreadable(f"cannot send: {error}") from error

    def _say(self, said: str, *, ok: bool) -> None:
        """Problems are said once, and once again when sending works again."""
        if ok and not self._troubled:
            return
        self._troubled = not ok
        self._report(said, ok)


class _Unreadable(Exception):
    """The access token cannot be read now; it may be mended, so the reply waits."""


def _app(kind: str) -> str:
    return {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}[kind]
