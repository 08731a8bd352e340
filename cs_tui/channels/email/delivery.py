"""Mail out: the replies queued on one mailbox, each sent by SMTP once. Its state is
written before the try (sending), just before the server is given the mail itself
(handed over) and after (sent, failed with the reason, or queued again with the time
of the next try), so that a crash at any moment neither loses a reply nor sends it
twice: docs/email.md says which one moment SMTP leaves uncertain."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from email.message import EmailMessage
from functools import partial

from cs_tui.channels.email.sending import (
    PermanentFailure,
    Sent,
    SmtpSettings,
    TemporaryFailure,
    send_mail,
)
from cs_tui.channels.email.settings import MailboxSettings, SettingsError, read_password, tls_context
from cs_tui.channels.email.writing import acknowledgement_mail, new_message_id, reply_mail
from cs_tui.channels.queued import deliver_queued, try_later
from cs_tui.domain.channels import DeliveryState, Outgoing
from cs_tui.store.base import ChannelStore

log = logging.getLogger(__name__)


class MailDelivery:
    """Sends one mailbox's queued replies, woken by `wake` when a new one is written."""

    def __init__(
        self,
        store: ChannelStore,
        name: str,
        settings: MailboxSettings,
        *,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self.name = name
        self.settings = settings
        self._environ = environ

    async def run(self, wake: asyncio.Event) -> None:
        await deliver_queued(self.store, self.name, self.deliver, wake)

    async def deliver(self, outgoing: Outgoing) -> None:
        external_id = outgoing.delivery.external_id or new_message_id(
            self.settings.address.rpartition("@")[2]
        )
        if not await self.store.begin_delivery(outgoing.message_id, external_id):
            return  # another process took it, or it is no longer queued
        try:
            message = self._mail(outgoing, external_id)
            smtp = self._smtp()
            acknowledgement = outgoing.acknowledgement
            sent = await send_mail(
                smtp,
                message,
                sender="" if acknowledgement else self.settings.address,  # RFC 3834: no bounce for those
                recipients=[outgoing.customer_email] if acknowledgement else self._recipients(outgoing),
                before_data=partial(self.store.handing_over, outgoing.message_id),
            )
        except TemporaryFailure as failure:
            await try_later(self.store, outgoing, failure.reason)
        except PermanentFailure as failure:
            await self.store.finish_delivery(outgoing.message_id, DeliveryState.FAILED, reason=failure.reason)
        else:
            state, reason = _outcome(sent, outgoing.customer_email)
            await self.store.finish_delivery(outgoing.message_id, state, reason=reason)

    def _mail(self, outgoing: Outgoing, external_id: str) -> EmailMessage:
        try:
            if outgoing.acknowledgement:
                return acknowledgement_mail(
                    mailbox_address=self.settings.address,
                    mailbox_name=self.settings.display_name or self.name,
                    to_address=outgoing.customer_email,
                    to_name=outgoing.customer_name,
                    ticket_id=outgoing.ticket_id,
                    ticket_subject=outgoing.subject,
                    body=outgoing.body,
                    message_id=external_id,
                    in_reply_to=outgoing.reply_to_id,
                    references=outgoing.thread_ids,
                )
            return reply_mail(
                mailbox_address=self.settings.address,
                agent_name=outgoing.agent_name or self.settings.display_name,
                to_address=outgoing.customer_email,
                to_name=outgoing.customer_name,
                cc=outgoing.cc,
                ticket_id=outgoing.ticket_id,
                ticket_subject=outgoing.subject,
                body=outgoing.body,
                message_id=external_id,
                in_reply_to=outgoing.reply_to_id,
                references=outgoing.thread_ids,
            )
        except ValueError as error:
            raise PermanentFailure(f"the reply cannot be written as a mail: {error}") from error

    def _smtp(self) -> SmtpSettings:
        """The SMTP server's settings with the password read now (it may have been
        changed since the last try). A password that cannot be read may be mended:
        the reply waits for it."""
        try:
            password = read_password(self.settings, self._environ)
            context = tls_context(self.settings)
        except SettingsError as error:
            raise TemporaryFailure(f"cannot sign in to send it: {error}") from error
        server = self.settings.smtp
        return SmtpSettings(
            server.host, server.port, server.security, server.username, password, tls_context=context
        )

    @staticmethod
    def _recipients(outgoing: Outgoing) -> list[str]:
        return list(dict.fromkeys([outgoing.customer_email, *outgoing.cc]))


def _outcome(sent: Sent, customer: str) -> tuple[DeliveryState, str]:
    """Sent, unless the customer's own address was refused; an address on Cc that was
    refused or put off is said either way."""
    notes = [f"{address} refused: {said}" for address, said in sent.refused.items()]
    notes += [f"{address} not taken now: {said}" for address, said in sent.deferred.items()]
    if customer in sent.refused:
        return DeliveryState.FAILED, "; ".join(notes)
    return DeliveryState.SENT, "; ".join(notes)
