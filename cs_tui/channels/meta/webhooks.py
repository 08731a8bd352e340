"""Meta's webhooks as a server meets them: the GET handshake that proves the URL is
ours, the X-Hub-Signature-256 that proves a delivery is Meta's, and a delivery read
into messages and statuses (inbound.py), whichever of the three channels sent it."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from cs_tui.channels.meta import page_webhook, whatsapp_webhook
from cs_tui.channels.meta.inbound import (
    MetaMedia,
    MetaMessage,
    MetaStatus,
    PayloadError,
    WebhookContents,
)
from cs_tui.channels.meta.settings import MetaKind

__all__ = [
    "OBJECTS",
    "MetaMedia",
    "MetaMessage",
    "MetaStatus",
    "PayloadError",
    "WebhookContents",
    "parse_webhook",
    "signature_ok",
    "verify_handshake",
]

SIGNATURE_HEADER = "X-Hub-Signature-256"
OBJECTS: dict[str, MetaKind] = {
    "whatsapp_business_account": "whatsapp",
    "page": "messenger",
    "instagram": "instagram",
}
"""A delivery's `object`, and the channel it is from."""


def verify_handshake(params: Mapping[str, str], verify_token: str) -> str | None:
    """The challenge to answer Meta's GET `?hub.mode=subscribe&hub.verify_token=T
    &hub.challenge=C` with (C, with 200), or None when the mode is not subscribe or T
    is not ours (answer 403). T is compared in constant time."""
    if params.get("hub.mode") != "subscribe" or not verify_token:
        return None
    given = params.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode(), verify_token.encode()):
        return None
    challenge = params.get("hub.challenge")
    return challenge if challenge else None


def signature_ok(raw_body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether `header` (X-Hub-Signature-256: `sha256=<hex>`) is the HMAC-SHA256 of the
    body exactly as it came, under the app secret. The raw bytes, not the JSON read
    back: Meta signs its own escaped form (`\\u00e9`, `\\/`), which re-encoding loses.
    False when the header is missing or not of that form."""
    if not header or not app_secret:
        return False
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or len(given) != 64:
        return False
    try:
        given_digest = bytes.fromhex(given)
    except ValueError:
        return False
    expected = hmac.new(app_secret.encode(), raw_body, hashlib.sha256).digest()
    return hmac.compare_digest(given_digest, expected)


def parse_webhook(raw_body: bytes, expected: MetaKind | None = None) -> WebhookContents:
    """Every message and status in one delivery, from all its entries. Raises
    PayloadError when the delivery as a whole cannot be read (not JSON, no known
    `object`, another channel's when `expected` is given); an item inside it that
    cannot be read is said in `problems` and the rest is still read."""
    try:
        payload: Any = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PayloadError(f"the delivery is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise PayloadError("the delivery is not a JSON object")
    object_name = payload.get("object")
    kind = OBJECTS.get(object_name) if isinstance(object_name, str) else None
    if kind is None:
        known = ", ".join(OBJECTS)
        raise PayloadError(f"the delivery's object is {object_name!r}, none of {known}")
    if expected is not None and kind != expected:
        raise PayloadError(f"a {kind} delivery came to a {expected} channel's webhook")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("the delivery has no list of entries")
    contents = WebhookContents(kind)
    if kind == "whatsapp":
        whatsapp_webhook.read_entries(entries, contents)
    else:
        page_webhook.read_entries(kind, entries, contents)
    return contents
