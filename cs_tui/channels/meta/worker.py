"""A WhatsApp number, Messenger Page or Instagram account at work, started and stopped by
the channel runner: the webhook deliveries its inbox kept, taken in in order (each
customer's message a ticket's, its files fetched at once, each report on a reply's
delivery written on that reply), and its replies sent (delivery.py)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import mimetypes
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from cs_tui.channels.meta.delivery import MetaDelivery
from cs_tui.channels.meta.errors import GraphError
from cs_tui.channels.meta.graph import GraphClient
from cs_tui.channels.meta.inbound import MetaMedia, MetaMessage, MetaStatus, WebhookContents
from cs_tui.channels.meta.settings import MetaSettings, SettingsError, read_secret
from cs_tui.channels.meta.webhooks import PayloadError, parse_webhook
from cs_tui.domain.channels import ChannelInfo, DeliveryState, Inbound, InboundFile
from cs_tui.domain.messaging import MAX_FILE_BYTES, conversation_subject
from cs_tui.domain.models import AuthorKind
from cs_tui.domain.text import sanitize_line
from cs_tui.store.base import ChannelStore

log = logging.getLogger(__name__)

Report = Callable[[str, bool], None]
CHECK_EVERY_S = 5.0
"""How often the inbox is looked at without being woken."""
BATCH = 20
APP_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}


async def work_meta(store: ChannelStore, info: ChannelInfo, *, wake: asyncio.Event, report: Report) -> None:
    """Takes the channel's webhook deliveries in and sends its replies until cancelled.
    Raises SettingsError for settings that cannot work."""
    settings = MetaSettings.from_dict(info.settings)
    intake = MetaIntake(store, info.name, settings, report=report)
    delivery = MetaDelivery(store, info.name, settings, report=report, sending=intake.sending)
    intake_wake, delivery_wake = asyncio.Event(), asyncio.Event()

    async def pass_wake_on() -> None:
        while True:
            await wake.wait()
            wake.clear()
            intake_wake.set()
            delivery_wake.set()

    report(f"taking in {_where(settings)} and sending its replies", True)
    await _all_until_one_fails(pass_wake_on(), intake.run(intake_wake), delivery.run(delivery_wake))


async def _all_until_one_fails(*jobs: Coroutine[Any, Any, None]) -> None:
    """Runs `jobs` together until cancelled; when one fails the others stop and its
    error is raised as it is (the runner says it in words)."""
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _where(settings: MetaSettings) -> str:
    if settings.kind == "whatsapp":
        return f"WhatsApp messages to the number {settings.phone_number_id}"
    return f"{APP_NAMES[settings.kind]} messages to the Page {settings.page_id}"


class MetaIntake:
    """Takes the channel's inbox in, in order: `sending` is held while a reply is being
    sent, so that a report on it waits until its Meta id is recorded."""

    def __init__(
        self,
        store: ChannelStore,
        name: str,
        settings: MetaSettings,
        *,
        report: Report,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.store = store
        self.name = name
        self.settings = settings
        self.kind = settings.kind
        self.sending = asyncio.Lock()
        self._report = report
        self._environ = environ
        self._names: dict[str, str] = {}
        """Messenger and Instagram customers' names, asked of the Graph API once."""

    async def run(self, wake: asyncio.Event) -> None:
        cursor = await self.store.channel_cursor(self.name)
        after = int(cursor) if cursor and cursor.isdigit() else 0
        while True:
            wake.clear()  # before looking, so that a delivery kept meanwhile wakes the next look
            batch = await self.store.received(self.name, after, BATCH)
            for received_id, raw in batch:
                await self.take(received_id, raw)
                after = received_id
            if len(batch) < BATCH:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), CHECK_EVERY_S)

    async def take(self, received_id: int, raw: bytes) -> None:
        """One delivery taken in: its statuses, then its messages; the cursor moves past
        it with the last write. What cannot be read is kept aside, raw, with why."""
        cursor = str(received_id)
        try:
            contents = parse_webhook(raw, self.kind)
        except PayloadError as error:
            await self.store.quarantine(self.name, raw, str(error), cursor=cursor)
            log.warning("%s: a delivery could not be read: %s", self.name, error)
            return
        problems = list(contents.problems)
        await self._statuses(contents)
        messages = [message for message in contents.messages if self._ours(message.business_id)]
        skipped = len(contents.messages) - len(messages)
        if skipped:
            log.warning(
                "%s: %d messages to another number or Page than this channel's were left out",
                self.name,
                skipped,
            )
        for number, message in enumerate(messages, start=1):
            last = number == len(messages) and not problems
            try:
                inbound = await self._inbound(message, raw)
                await self.store.take_in(self.name, inbound, cursor=cursor if last else None)
            except ValueError as error:
                problems.append(f"the message {message.external_id[:60]} cannot be taken in: {error}")
        if problems:
            await self.store.quarantine(self.name, raw, "; ".join(problems), cursor=cursor)
        elif not messages:
            await self.store.received_done(self.name, received_id)

    def _ours(self, business_id: str) -> bool:
        """Whether a message came to this channel's number or Page (one Meta app may
        send every number's deliveries to one address). Instagram's deliveries name the
        Instagram account, not the Page: those are all the Page's."""
        return self.kind == "instagram" or not business_id or business_id == self.settings.business_id

    async def _statuses(self, contents: WebhookContents) -> None:
        for status in contents.statuses:
            if not self._ours(status.business_id):
                continue
            async with self.sending:
                if status.external_id is not None:
                    await self.store.delivery_seen(self.name, status.external_id, status.state, status.reason)
                elif status.state is DeliveryState.READ and status.customer and status.up_to:
                    await self._read_up_to(status)

    async def _read_up_to(self, status: MetaStatus) -> None:
        """Messenger's "read everything up to then": the replies on the customer's
        conversation written by then are read."""
        ticket_id = await self.store.conversation_ticket(self._conversation(status.customer or ""))
        if ticket_id is None or status.up_to is None:
            return
        page = await self.store.get_messages(ticket_id)
        replies = [
            message.id
            for message in page.messages
            if message.author_kind is not AuthorKind.CUSTOMER and message.created_at <= status.up_to
        ]
        if replies:
            await self.store.customer_read(ticket_id, max(replies))

    def _conversation(self, sender_key: str) -> str:
        return f"{self.kind}:{self.name}:{sender_key}"

    async def _inbound(self, message: MetaMessage, raw: bytes) -> Inbound:
        files, notes = await self._files(message)
        name = message.sender_name or await self._profile_name(message.sender_key)
        text = "\n\n".join(part for part in (message.text, *notes) if part)
        address = message.sender_phone if self.kind == "whatsapp" and message.sender_phone else None
        return Inbound(
            external_id=message.external_id,
            raw_sha256=hashlib.sha256(f"{self.kind}\n{message.external_id}".encode()).hexdigest(),
            sender=f"{self.kind}:{address or message.sender_key}",
            sender_name=name,
            subject=conversation_subject(self.kind, message.text, name),
            body=text,
            files=tuple(files),
            raw=raw,
            received_at=message.timestamp,
            conversation=self._conversation(message.sender_key),
        )

    async def _files(self, message: MetaMessage) -> tuple[list[InboundFile], list[str]]:
        """The message's files, fetched now (Meta's links expire); one that cannot be
        fetched is a line of the message saying so and why."""
        if not message.media:
            return [], []
        files: list[InboundFile] = []
        notes: list[str] = []
        try:
            token = read_secret(self.settings, "access_token", self._environ)
        except SettingsError as error:
            self._report(f"cannot fetch customers' files: {error}", False)
            return [], [_not_fetched(media, str(error)) for media in message.media]
        async with GraphClient(self.settings, token) as graph:
            for media in message.media:
                try:
                    if media.is_url:
                        got = await graph.download_attachment(media.ref, max_bytes=MAX_FILE_BYTES)
                    else:
                        got = await graph.download_media(
                            media.ref, max_bytes=MAX_FILE_BYTES, expected_sha256=media.sha256
                        )
                except GraphError as error:
                    notes.append(_not_fetched(media, error.reason))
                    continue
                mime_type = got.mime_type or media.mime_type or "application/octet-stream"
                filename = media.filename or got.filename or _filename(media.kind, mime_type)
                files.append(InboundFile(filename, mime_type, got.data))
        return files, notes

    async def _profile_name(self, sender_key: str) -> str:
        """A Messenger or Instagram customer's name, asked once; their app's name and
        the end of their id when Meta shares none."""
        known = self._names.get(sender_key)
        if known is not None:
            return known
        name = ""
        try:
            token = read_secret(self.settings, "access_token", self._environ)
            async with GraphClient(self.settings, token) as graph:
                name = await graph.profile_name(sender_key)
        except (GraphError, SettingsError) as error:
            log.info("%s: no name for a customer: %s", self.name, error)
            return f"{APP_NAMES[self.kind]} customer {sender_key[-4:]}"
        name = name or f"{APP_NAMES[self.kind]} customer {sender_key[-4:]}"
        self._names[sender_key] = name
        return name


def _not_fetched(media: MetaMedia, reason: str) -> str:
    what = media.kind or "file"
    article = "an" if what[:1] in "aeiou" else "a"
    return f"[The customer sent {article} {what} that could not be fetched: {sanitize_line(reason)}]"


def _filename(kind: str, mime_type: str) -> str:
    extension = mimetypes.guess_extension(mime_type) or ""
    return f"{kind or 'file'}{extension}"
