"""A stand-in for Meta's Graph API and webhooks, built from Meta's documentation, for
the tests. The API: a Starlette app served by uvicorn on a free loopback port that
checks the Bearer token, keeps every request it got, answers the Send API as
WhatsApp's Cloud API and the Messenger Platform do (or with the error it was told
to), and serves media behind the token as WhatsApp does. The webhooks: deliveries
shaped as Meta sends them, encoded and signed as Meta encodes and signs them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from .mailserver import free_port

TOKEN = "EAAGm0PX4ZCpsBA-test-token"
VERSION = "v23.0"
PHONE_NUMBER_ID = "106540352242922"
PAGE_ID = "110198307638924"
INSTAGRAM_ID = "17841405822304914"
WABA_ID = "102290129340398"


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request the stand-in got, as it got it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True, slots=True)
class Failure:
    """How the stand-in answers the next send instead of taking it."""

    status: int
    body: dict[str, Any] | None = None
    """A Graph error (`{"error": {...}}`); None answers plain text, as a proxy does."""


def graph_error(
    code: int,
    message: str,
    *,
    subcode: int | None = None,
    details: str | None = None,
    status: int = 400,
    kind: str = "OAuthException",
) -> Failure:
    """Meta's error answer: `{"error": {"message", "type", "code", "error_subcode",
    "error_data": {"messaging_product", "details"}, "fbtrace_id"}}`."""
    error: dict[str, Any] = {"message": message, "type": kind, "code": code, "fbtrace_id": "AbCdEfGh123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return Failure(status, {"error": error})


RE_ENGAGEMENT = graph_error(
    131047,
    "(#131047) Re-engagement message",
    details="More than 24 hours have passed since the recipient last replied to the sender number.",
)
"""WhatsApp: a free-text message more than 24 hours after the customer last wrote."""
OUTSIDE_WINDOW = graph_error(
    10,
    "(#10) This message is sent outside of allowed window. Learn more about the new policy here: "
    "https://developers.facebook.com/docs/messenger-platform/policy-overview",
    subcode=2018278,
)
"""Messenger and Instagram: a reply after the window (24 hours, or 7 days tagged)."""
TOKEN_EXPIRED = graph_error(
    190,
    "Error validating access token: Session has expired on Tuesday, 02-Jun-26 10:00:00 PDT.",
    subcode=463,
    status=401,
)


@dataclass
class StoredMedia:
    data: bytes
    mime_type: str
    sha256: str
    """What the metadata says the file's SHA-256 is (hex)."""


@dataclass
class GraphApi:
    """The running stand-in: where it is, what it was sent, and what to answer."""

    port: int
    token: str = TOKEN
    requests: list[Recorded] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    media: dict[str, StoredMedia] = field(default_factory=dict)
    attachments: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        """What `--graph-url` is pointed at."""
        return f"{self.origin}/{VERSION}"

    @property
    def sends(self) -> list[Recorded]:
        """The Send API requests, oldest first."""
        return [request for request in self.requests if request.path.endswith("/messages")]

    def fail_next_send(self, failure: Failure) -> None:
        self.failures.append(failure)

    def add_media(self, media_id: str, data: bytes, mime_type: str, *, sha256: str | None = None) -> None:
        """A file a customer sent on WhatsApp, `sha256` overriding what its metadata says."""
        self.media[media_id] = StoredMedia(data, mime_type, sha256 or hashlib.sha256(data).hexdigest())

    def add_attachment(self, name: str, data: bytes, mime_type: str) -> str:
        """A Messenger or Instagram file, served without a token; answers its URL."""
        self.attachments[name] = (data, mime_type)
        return f"{self.origin}/cdn/{name}"

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/whatsapp_business/attachments/", self._media_bytes, methods=["GET"]),
                Route("/cdn/{name}", self._attachment, methods=["GET"]),
                Route("/{version}/{node}/messages", self._send, methods=["POST"]),
                Route("/{version}/{node}", self._node, methods=["GET"]),
            ]
        )

    async def _record(self, request: Request) -> Recorded:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        recorded = Recorded(
            request.method,
            request.url.path,
            dict(request.query_params),
            {key.lower(): value for key, value in request.headers.items()},
            body,
        )
        self.requests.append(recorded)
        return recorded

    def _refused(self, recorded: Recorded) -> Response | None:
        given = recorded.headers.get("authorization", "")
        if not given:
            return _error(
                400, 2500, "An active access token must be used to query information about the current user."
            )
        if given != f"Bearer {self.token}":
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        return None

    async def _send(self, request: Request) -> Response:
        recorded = await self._record(request)
        refused = self._refused(recorded)
        if refused is not None:
            return refused
        if self.failures:
            failure = self.failures.pop(0)
            if failure.body is None:
                return PlainTextResponse("Internal Server Error", status_code=failure.status)
            return JSONResponse(failure.body, status_code=failure.status)
        body = recorded.body if isinstance(recorded.body, dict) else {}
        number = next(self._ids)
        if body.get("messaging_product") == "whatsapp":
            to = body.get("to") or body.get("recipient")
            if not to:
                return _error(400, 100, "(#100) The parameter to is required.")
            contact = {"input": to, "wa_id": to} if "to" in body else {"input": to, "user_id": to}
            wamid = f"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI{number:010d}"
            return JSONResponse(
                {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}
            )
        recipient = body.get("recipient", {}).get("id") if isinstance(body.get("recipient"), dict) else None
        if not recipient or "messaging_type" not in body:
            return _error(400, 100, "(#100) The parameter recipient is required")
        return JSONResponse(
            {"recipient_id": recipient, "message_id": f"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM{number:06d}"}
        )

    async def _node(self, request: Request) -> Response:
        recorded = await self._record(request)
        refused = self._refused(recorded)
        if refused is not None:
            return refused
        node = request.path_params["node"]
        if node in self.media:
            stored = self.media[node]
            return JSONResponse(
                {
                    "messaging_product": "whatsapp",
                    "url": f"{self.origin}/whatsapp_business/attachments/?mid={node}&ext=169123&hash=ATuX",
                    "mime_type": stored.mime_type,
                    "sha256": stored.sha256,
                    "file_size": len(stored.data),
                    "id": node,
                }
            )
        if node in self.profiles:
            return JSONResponse({**self.profiles[node], "id": node})
        return _error(
            400,
            100,
            f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due to "
            "missing permissions, or does not support this operation.",
            subcode=33,
        )

    async def _media_bytes(self, request: Request) -> Response:
        recorded = await self._record(request)
        if recorded.headers.get("authorization") != f"Bearer {self.token}":
            return PlainTextResponse("Unauthorized", status_code=401)
        stored = self.media.get(request.query_params.get("mid", ""))
        if stored is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(stored.data, media_type=stored.mime_type)

    async def _attachment(self, request: Request) -> Response:
        await self._record(request)
        found = self.attachments.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(found[0], media_type=found[1])


def _error(status: int, code: int, message: str, *, subcode: int | None = None) -> Response:
    failure = graph_error(code, message, subcode=subcode, status=status)
    return JSONResponse(failure.body, status_code=status)


@contextmanager
def graph_api_server() -> Iterator[GraphApi]:
    """The stand-in on a free loopback port, until the block ends."""
    api = GraphApi(free_port())
    config = uvicorn.Config(
        api.app(), host="127.0.0.1", port=api.port, log_level="error", lifespan="off", loop="asyncio"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="graph-api-stand-in", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise AssertionError("the Graph API stand-in did not start")
        time.sleep(0.01)
    try:
        yield api
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# Webhook deliveries, as Meta's "Webhooks" references show them.


def whatsapp_webhook(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"object": "whatsapp_business_account", "entry": list(entries)}


def whatsapp_entry(
    *,
    messages: Sequence[dict[str, Any]] = (),
    statuses: Sequence[dict[str, Any]] = (),
    contacts: Sequence[dict[str, Any]] | None = None,
    phone_number_id: str = PHONE_NUMBER_ID,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One entry with one change: `contacts` defaults to one for each sender, named
    from `names` (by phone or user id)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = list(contacts) if contacts is not None else _contacts(messages, names or {})
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"id": WABA_ID, "changes": [{"value": value, "field": "messages"}]}


def _contacts(messages: Sequence[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for message in messages:
        key = message.get("from_user_id") or message.get("from") or ""
        contact: dict[str, Any] = {"profile": {"name": names.get(key, "Budi Santoso")}}
        if message.get("from"):
            contact["wa_id"] = message["from"]
        if message.get("from_user_id"):
            contact["user_id"] = message["from_user_id"]
        found[key] = contact
    return list(found.values())


def whatsapp_message(
    kind: str,
    content: Any,
    *,
    wamid: str = "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
    sender: str | None = "6281234567890",
    user_id: str | None = None,
    timestamp: int = 1_780_000_000,
) -> dict[str, Any]:
    """A message of `kind` (text, image, location, ...) with `content` as its body."""
    message: dict[str, Any] = {"id": wamid, "timestamp": str(timestamp), "type": kind, kind: content}
    if sender is not None:
        message["from"] = sender
    if user_id is not None:
        message["from_user_id"] = user_id
    return message


def whatsapp_text(body: str, **options: Any) -> dict[str, Any]:
    return whatsapp_message("text", {"body": body}, **options)


def whatsapp_image(media_id: str, *, caption: str | None = None, **options: Any) -> dict[str, Any]:
    image = {
        "mime_type": "image/jpeg",
        "sha256": "IhLDG5E3oHmDI1hBIO0OrCvWcs6M6DzWf9FdqgCDBYc=",
        "id": media_id,
    }
    if caption is not None:
        image["caption"] = caption
    return whatsapp_message("image", image, **options)


def whatsapp_location(
    latitude: float, longitude: float, name: str = "", address: str = "", **options: Any
) -> dict[str, Any]:
    location: dict[str, Any] = {"latitude": latitude, "longitude": longitude}
    if name:
        location["name"] = name
    if address:
        location["address"] = address
    return whatsapp_message("location", location, **options)


def whatsapp_status(
    wamid: str,
    status: str,
    *,
    recipient: str = "6281234567890",
    timestamp: int = 1_780_000_100,
    errors: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A status of one of the shop's messages (sent, delivered, read, failed)."""
    found: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": str(timestamp),
        "recipient_id": recipient,
    }
    if status in ("sent", "delivered"):
        found["pricing"] = {
            "billable": True,
            "pricing_model": "PMP",
            "category": "service",
            "type": "free_customer_service",
        }
    if errors:
        found["errors"] = list(errors)
    return found


RE_ENGAGEMENT_STATUS_ERROR = {
    "code": 131047,
    "title": "Re-engagement message",
    "message": "Re-engagement message",
    "error_data": {
        "details": "Message failed to send because more than 24 hours have passed since the customer "
        "last replied to this number."
    },
    "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
}
"""A status webhook's error when WhatsApp refused a message after taking it."""


def page_webhook(kind: str, *events: dict[str, Any], business_id: str | None = None) -> dict[str, Any]:
    """A Messenger (`page`) or Instagram (`instagram`) delivery with one entry."""
    entry_id = business_id or (PAGE_ID if kind == "messenger" else INSTAGRAM_ID)
    return {
        "object": "page" if kind == "messenger" else "instagram",
        "entry": [{"id": entry_id, "time": 1_780_000_000_500, "messaging": list(events)}],
    }


def page_message(
    sender: str,
    mid: str,
    *,
    text: str | None = None,
    attachments: Sequence[dict[str, Any]] = (),
    recipient: str = PAGE_ID,
    timestamp: int = 1_780_000_000_000,
    is_echo: bool = False,
) -> dict[str, Any]:
    """A message from `sender` to `recipient`: for an echo (the shop's own message
    coming back) the sender is the shop's Page and the recipient the customer."""
    message: dict[str, Any] = {"mid": mid}
    if is_echo:
        message["is_echo"] = True
        message["app_id"] = 1517776481860111
    if text is not None:
        message["text"] = text
    if attachments:
        message["attachments"] = list(attachments)
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": timestamp,
        "message": message,
    }


def page_delivery(
    sender: str,
    mids: Sequence[str],
    *,
    watermark: int,
    recipient: str = PAGE_ID,
    timestamp: int = 1_780_000_001_000,
) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": timestamp,
        "delivery": {"mids": list(mids), "watermark": watermark},
    }


def page_read(
    sender: str, *, watermark: int, recipient: str = PAGE_ID, timestamp: int = 1_780_000_002_000
) -> dict[str, Any]:
    return {
        "sender": {"id": sender},
        "recipient": {"id": recipient},
        "timestamp": timestamp,
        "read": {"watermark": watermark},
    }


def encode(payload: dict[str, Any]) -> bytes:
    """The body as Meta sends it: compact, non-ASCII as \\uXXXX, and / as \\/ (the
    bytes the signature is over)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode()


def sign(raw_body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header Meta sends with `raw_body`."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()
