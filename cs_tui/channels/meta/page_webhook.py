"""Messenger (`object: page`) and Instagram (`object: instagram`) webhooks read into
messages and statuses: every entry, every messaging event. The shop's own messages
coming back (echoes) are skipped; deliveries and reads become statuses."""

from __future__ import annotations

from typing import Any

from cs_tui.channels.meta.inbound import (
    ItemError,
    MetaMedia,
    MetaMessage,
    MetaStatus,
    WebhookContents,
    from_milliseconds,
    items,
    mapping,
    optional_text,
    part,
    text_of,
)
from cs_tui.channels.meta.settings import MetaKind
from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.text import sanitize, sanitize_line

FILE_TYPES = ("image", "video", "audio", "file")
"""Attachments that are a file to keep; others (a shared post, a story mention, a
link) are shown as their URL."""
_NAMES: dict[MetaKind, str] = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}


def read_entries(kind: MetaKind, entries: list[Any], contents: WebhookContents) -> None:
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        try:
            entry = mapping(entry, where)
            entry_id = optional_text(entry.get("id")) or str(entry.get("id") or "")
            events = items(entry.get("messaging"), f"{where}'s messaging")
        except ItemError as error:
            contents.problems.append(str(error))
            continue
        for index, event in enumerate(events, start=1):
            try:
                _read_event(kind, event, entry_id, f"{where}, event {index}", contents)
            except ItemError as error:
                contents.problems.append(str(error))


def _read_event(kind: MetaKind, event: Any, entry_id: str, where: str, contents: WebhookContents) -> None:
    event = mapping(event, where)
    sender = text_of(mapping(event.get("sender"), f"{where}'s sender").get("id"), f"{where}'s sender id")
    recipient = event.get("recipient")
    business_id = (optional_text(recipient.get("id")) if isinstance(recipient, dict) else "") or entry_id
    if "message" in event:
        message = _message(
            kind, mapping(event["message"], f"{where}'s message"), event, sender, business_id, where
        )
        if message is not None:
            contents.messages.append(message)
    elif "delivery" in event:
        contents.statuses.extend(
            _statuses(
                kind, DeliveryState.DELIVERED, mapping(event["delivery"], where), event, sender, business_id
            )
        )
    elif "read" in event:
        contents.statuses.extend(
            _statuses(kind, DeliveryState.READ, mapping(event["read"], where), event, sender, business_id)
        )
    # reactions, postbacks, opt-ins, referrals, handovers: not messages to answer


def _message(
    kind: MetaKind,
    message: dict[str, Any],
    event: dict[str, Any],
    sender: str,
    business_id: str,
    where: str,
) -> MetaMessage | None:
    if message.get("is_echo") or message.get("is_deleted"):
        return None  # the shop's own message coming back, or one the customer took back
    external_id = text_of(message.get("mid"), f"{where}'s message id (mid)")
    where = f"{where} ({external_id[:60]})"
    lines = [optional_text(message.get("text"))]
    media: list[MetaMedia] = []
    for attachment in items(message.get("attachments"), f"{where}'s attachments"):
        if not isinstance(attachment, dict):
            continue
        found, shown = _attachment(attachment)
        media.extend(found)
        lines.append(shown)
    if message.get("is_unsupported"):
        lines.append(
            f"[The customer sent a kind of message {_NAMES[kind]} does not pass on to businesses; "
            "ask them to send it another way.]"
        )
    text = "\n".join(line for line in lines if line)
    if not text and not media:
        lines.append(
            f"[The customer sent a message without text, which cs-tui cannot show; open {_NAMES[kind]}.]"
        )
        text = lines[-1]
    reply = message.get("reply_to")
    return MetaMessage(
        kind=kind,
        business_id=business_id,
        external_id=external_id,
        sender_key=sender,
        sender_phone=None,
        sender_name="",
        timestamp=from_milliseconds(event.get("timestamp"), where),
        text=sanitize(text).strip(),
        media=tuple(media),
        reply_to=(optional_text(reply.get("mid")) if isinstance(reply, dict) else "") or None,
    )


def _attachment(attachment: dict[str, Any]) -> tuple[list[MetaMedia], str]:
    """A file to keep, or a line of text for what is not a file."""
    kind = optional_text(attachment.get("type")) or "attachment"
    payload = part(attachment, "payload")
    url = optional_text(payload.get("url"))
    if kind in FILE_TYPES and url.startswith("https://"):
        return [MetaMedia(ref=url, kind=kind, filename=_filename(attachment, payload))], ""
    if kind == "location" and isinstance(payload.get("coordinates"), dict):
        point = payload["coordinates"]
        latitude, longitude = point.get("lat"), point.get("long")
        return (
            [],
            f"Shared a location: https://www.google.com/maps/search/?api=1&query={latitude},{longitude}",
        )
    title = sanitize_line(optional_text(attachment.get("title")) or optional_text(payload.get("title")))
    shown = " ".join(part for part in (title, sanitize_line(url)) if part)
    return [], f"[{kind.replace('_', ' ')}] {shown}".strip()


def _filename(attachment: dict[str, Any], payload: dict[str, Any]) -> str | None:
    name = optional_text(attachment.get("name")) or optional_text(payload.get("name"))
    return sanitize_line(name) or None


def _statuses(
    kind: MetaKind,
    state: DeliveryState,
    body: dict[str, Any],
    event: dict[str, Any],
    sender: str,
    business_id: str,
) -> list[MetaStatus]:
    """A delivery or read: for each message id it names, or up to its watermark
    (Messenger: "every message sent before or at this time")."""
    moment = from_milliseconds(event.get("timestamp"), f"the {state.value} event")
    mids = [mid for mid in items(body.get("mids"), "mids") if isinstance(mid, str) and mid]
    if optional_text(body.get("mid")):  # Instagram's read names the one message
        mids.append(body["mid"])
    if mids:
        return [MetaStatus(kind, business_id, mid, state, moment, customer=sender) for mid in mids]
    watermark = body.get("watermark")
    if watermark is None:
        raise ItemError(f"a {state.value} event from {sender} names no message and has no watermark")
    return [
        MetaStatus(
            kind,
            business_id,
            None,
            state,
            moment,
            customer=sender,
            up_to=from_milliseconds(watermark, f"the {state.value} event's watermark"),
        )
    ]
