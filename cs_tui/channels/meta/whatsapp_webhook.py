"""WhatsApp Cloud API webhooks (`object: whatsapp_business_account`) read into
messages and statuses: every entry, every change, every message of every kind (one
cs-tui cannot show becomes a text saying what it was, never nothing)."""

from __future__ import annotations

from typing import Any

from cs_tui.channels.meta.errors import explain
from cs_tui.channels.meta.inbound import (
    ItemError,
    MetaMedia,
    MetaMessage,
    MetaStatus,
    WebhookContents,
    from_seconds,
    items,
    mapping,
    optional_text,
    part,
    text_of,
)
from cs_tui.domain.channels import DeliveryState
from cs_tui.domain.text import sanitize, sanitize_line

MEDIA_TYPES = ("image", "document", "audio", "video", "sticker")
_STATES = {
    "sent": DeliveryState.SENT,
    "delivered": DeliveryState.DELIVERED,
    "read": DeliveryState.READ,
    "failed": DeliveryState.FAILED,
}
_SHOWN_AS = {
    "order": "an order from the shop's catalog",
    "system": "a notice from WhatsApp",
    "request_welcome": "a first contact request",
}


def read_entries(entries: list[Any], contents: WebhookContents) -> None:
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}"
        try:
            changes = items(mapping(entry, where).get("changes"), f"{where}'s changes")
        except ItemError as error:
            contents.problems.append(str(error))
            continue
        for index, change in enumerate(changes, start=1):
            _read_change(change, f"{where}, change {index}", contents)


def _read_change(change: Any, where: str, contents: WebhookContents) -> None:
    try:
        change = mapping(change, where)
        if change.get("field", "messages") != "messages":
            return  # template, account and quality updates: not a conversation's
        value = mapping(change.get("value"), f"{where}'s value")
        metadata = mapping(value.get("metadata"), f"{where}'s metadata")
        business_id = text_of(metadata.get("phone_number_id"), f"{where}'s phone_number_id")
        contacts = [
            contact for contact in items(value.get("contacts"), "contacts") if isinstance(contact, dict)
        ]
        messages = items(value.get("messages"), f"{where}'s messages")
        statuses = items(value.get("statuses"), f"{where}'s statuses")
        errors = items(value.get("errors"), f"{where}'s errors")
    except ItemError as error:
        contents.problems.append(str(error))
        return
    for reported in errors:
        contents.problems.append(f"{where}: WhatsApp reported {_error_words(reported)}")
    for index, message in enumerate(messages, start=1):
        try:
            contents.messages.append(_message(message, business_id, contacts, f"{where}, message {index}"))
        except ItemError as error:
            contents.problems.append(str(error))
    for index, status in enumerate(statuses, start=1):
        try:
            read = _status(status, business_id, f"{where}, status {index}")
        except ItemError as error:
            contents.problems.append(str(error))
            continue
        if read is not None:
            contents.statuses.append(read)


def _message(message: Any, business_id: str, contacts: list[dict[str, Any]], where: str) -> MetaMessage:
    message = mapping(message, where)
    external_id = text_of(message.get("id"), f"{where}'s id")
    where = f"{where} ({external_id[:60]})"
    phone = optional_text(message.get("from")) or None
    user_id = optional_text(message.get("from_user_id")) or None
    contact = _contact_for(contacts, phone, user_id)
    user_id = user_id or optional_text(contact.get("user_id")) or None
    phone = phone or optional_text(contact.get("wa_id")) or None
    sender_key = user_id or phone
    if sender_key is None:
        raise ItemError(f"{where} says neither who sent it (from) nor their user id (from_user_id)")
    profile = part(contact, "profile")
    name = sanitize_line(optional_text(profile.get("name")) or optional_text(profile.get("username")))
    text, media = _content(message, where)
    context = message.get("context")
    reply_to = optional_text(context.get("id")) if isinstance(context, dict) else ""
    if message.get("type") == "reaction":
        reply_to = optional_text(mapping(message.get("reaction"), f"{where}'s reaction").get("message_id"))
    return MetaMessage(
        kind="whatsapp",
        business_id=business_id,
        external_id=external_id,
        sender_key=sender_key,
        sender_phone=phone,
        sender_name=name or (f"+{phone}" if phone else "WhatsApp customer"),
        timestamp=from_seconds(message.get("timestamp"), where),
        text=sanitize(text).strip(),
        media=media,
        reply_to=reply_to or None,
    )


def _contact_for(contacts: list[dict[str, Any]], phone: str | None, user_id: str | None) -> dict[str, Any]:
    """The contact a message is from: by user id, by phone, or the only one there."""
    for contact in contacts:
        if (user_id and contact.get("user_id") == user_id) or (phone and contact.get("wa_id") == phone):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _content(message: dict[str, Any], where: str) -> tuple[str, tuple[MetaMedia, ...]]:
    """The text a message shows as, and its file if it has one."""
    kind = optional_text(message.get("type"))
    body = message.get(kind) if kind else None
    if kind == "text":
        return optional_text(mapping(body, f"{where}'s text").get("body")), ()
    if kind in MEDIA_TYPES:
        media = mapping(body, f"{where}'s {kind}")
        filename = sanitize_line(optional_text(media.get("filename"))) or None
        found = MetaMedia(
            ref=text_of(media.get("id"), f"{where}'s {kind} id"),
            kind=kind,
            mime_type=sanitize_line(optional_text(media.get("mime_type"))),
            filename=filename,
            sha256=optional_text(media.get("sha256")) or None,
        )
        return optional_text(media.get("caption")), (found,)
    if kind == "location":
        return _location(mapping(body, f"{where}'s location")), ()
    if kind == "contacts":
        return _shared_contacts(items(body, f"{where}'s contacts")), ()
    if kind == "interactive":
        return _interactive(mapping(body, f"{where}'s interactive reply")), ()
    if kind == "button":
        button = mapping(body, f"{where}'s button")
        return optional_text(button.get("text")) or optional_text(button.get("payload")), ()
    if kind == "reaction":
        emoji = optional_text(mapping(body, f"{where}'s reaction").get("emoji"))
        return (f"reacted {emoji} to a message" if emoji else "removed a reaction from a message"), ()
    if kind == "system" and isinstance(body, dict) and optional_text(body.get("body")):
        return optional_text(body.get("body")), ()
    return _not_shown(kind, message), ()


def _location(location: dict[str, Any]) -> str:
    latitude, longitude = location.get("latitude"), location.get("longitude")
    lines = [optional_text(location.get("name")), optional_text(location.get("address"))]
    if _is_number(latitude) and _is_number(longitude):
        lines.append(f"{latitude}, {longitude}")
        lines.append(f"https://www.google.com/maps/search/?api=1&query={latitude},{longitude}")
    shown = [sanitize_line(line) for line in lines if line and sanitize_line(line)]
    return "Shared a location:\n" + "\n".join(shown) if shown else "Shared a location (without coordinates)"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shared_contacts(contacts: list[Any]) -> str:
    lines = []
    for contact in contacts:
        if not isinstance(contact, dict):
            continue
        name = part(contact, "name")
        shown = optional_text(name.get("formatted_name")) or " ".join(
            part
            for part in (optional_text(name.get("first_name")), optional_text(name.get("last_name")))
            if part
        )
        phones = [
            optional_text(phone.get("phone"))
            + (f" ({phone['type']})" if optional_text(phone.get("type")) else "")
            for phone in contact.get("phones") or []
            if isinstance(phone, dict) and optional_text(phone.get("phone"))
        ]
        line = sanitize_line(", ".join(part for part in (shown or "a contact", *phones) if part))
        lines.append(line)
    return "Shared contacts:\n" + "\n".join(lines) if lines else "Shared a contact card with nothing in it"


def _interactive(reply: dict[str, Any]) -> str:
    """A button or list choice the customer tapped, as the words on it."""
    kind = optional_text(reply.get("type"))
    chosen = part(reply, kind)
    title = optional_text(chosen.get("title")) or optional_text(chosen.get("body"))
    description = optional_text(chosen.get("description"))
    if title:
        return f"{title} ({description})" if description else title
    return _not_shown(f"interactive {kind}".strip(), reply)


def _not_shown(kind: str, message: dict[str, Any]) -> str:
    """A message cs-tui cannot show, as a text saying what it was."""
    if kind == "unsupported":
        inner = message.get("unsupported")
        what = optional_text(inner.get("type")) if isinstance(inner, dict) else ""
        errors = [_error_words(error) for error in message.get("errors") or []]
        said = f": {'; '.join(errors)}" if errors else ""
        return (
            f"[The customer sent a kind of message WhatsApp does not pass on to businesses"
            f"{f' ({what})' if what else ''}{said}. Ask them to send it another way.]"
        )
    shown = _SHOWN_AS.get(kind, f"a {kind or 'message of no type'} message")
    return f"[The customer sent {shown}, which cs-tui cannot show; open WhatsApp to see it.]"


def _status(status: Any, business_id: str, where: str) -> MetaStatus | None:
    status = mapping(status, where)
    external_id = text_of(status.get("id"), f"{where}'s message id")
    state = _STATES.get(optional_text(status.get("status")))
    if state is None:
        return None  # deleted, warning, played, ...: nothing cs-tui tracks
    reason, permanent = "", False
    if state is DeliveryState.FAILED:
        errors = [error for error in status.get("errors") or [] if isinstance(error, dict)]
        if errors:
            first = errors[0]
            explained = explain(
                "whatsapp",
                first.get("code") if isinstance(first.get("code"), int) else None,
                message=optional_text(first.get("title")) or optional_text(first.get("message")),
                details=_details(first),
            )
            reason, permanent = explained.reason, explained.permanent
        else:
            reason, permanent = "WhatsApp says it failed without saying why", True
    return MetaStatus(
        kind="whatsapp",
        business_id=business_id,
        external_id=external_id,
        state=state,
        timestamp=from_seconds(status.get("timestamp"), where),
        reason=reason,
        permanent=permanent,
        customer=optional_text(status.get("recipient_user_id"))
        or optional_text(status.get("recipient_id"))
        or None,
    )


def _details(error: dict[str, Any]) -> str:
    data = error.get("error_data")
    return optional_text(data.get("details")) if isinstance(data, dict) else ""


def _error_words(error: Any) -> str:
    if not isinstance(error, dict):
        return "an error"
    words = [optional_text(error.get("title")) or optional_text(error.get("message")), _details(error)]
    code = error.get("code")
    shown = "; ".join(sanitize_line(word) for word in words if word) or "an error"
    return f"{shown} [Meta error {code}]" if isinstance(code, int) else shown
