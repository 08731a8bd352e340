"""The website chat's public side, `/public/v1/chat/NAME/...`: the widget's script,
its settings, a visitor's session (a token the channel signs, so that a reload or a
restarted server carries the chat on), their messages and files in, and the
conversation out as a live event stream that sends it whole on every (re)connection
and then each change, so that nothing is lost and the widget shows each message once.
While nobody of the team is there a visitor leaves a message answered by email, and a
visitor may have their conversation mailed to them.

Only pages of the sites the chat allows may use it; what a visitor writes is cleaned
and taken in as any channel's message is (domain.intake), and shown by the widget as
text only."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import timedelta
from functools import cache
from importlib.resources import files as package_files
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from cs_tui.channels.chat.settings import FILE_TYPES, ChatSettings
from cs_tui.domain import chat, forms
from cs_tui.domain.channels import DeliveryState, Inbound, InboundFile
from cs_tui.domain.intake import NO_TEXT
from cs_tui.domain.models import Activity, AuthorKind, EventKind, Message, Status
from cs_tui.domain.timeutil import to_iso, utcnow
from cs_tui.server.problems import Problem
from cs_tui.server.public.forms import answering_mailbox, checked, rate_limits
from cs_tui.server.public.guard import PUBLIC, client_address, public_channel
from cs_tui.store.base import ChannelStore, NotFound

router = APIRouter(prefix=f"{PUBLIC}/chat/{{name}}", tags=["website chat"], include_in_schema=False)

KEEP_ALIVE_S = 20.0
"""How often an open stream says the visitor is still there."""
SHOWN = (DeliveryState.SENT, DeliveryState.DELIVERED, DeliveryState.READ)


class NewSession(BaseModel):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=40)
    company: str = Field("", max_length=200, description="left empty by people")


class NewChatMessage(BaseModel):
    body: str = Field(max_length=chat.MESSAGE_CHARS * 4)
    client_id: str = Field(min_length=1, max_length=80)


class Typing(BaseModel):
    typing: bool


class ReadUpTo(BaseModel):
    up_to: int = Field(ge=0)


class AwayMessage(BaseModel):
    """A message left while nobody of the team is there: answered by email. The lengths
    here only bound what is read; domain.forms says what is too long, in words."""

    name: str = Field("", max_length=2000)
    email: str = Field("", max_length=2000)
    message: str = Field("", max_length=forms.MESSAGE_CHARS * 4)
    company: str = Field("", max_length=2000, description="left empty by people")


class TranscriptTo(BaseModel):
    email: str = Field(max_length=2000)


@cache
def _widget() -> bytes:
    return (package_files("cs_tui.channels.chat") / "widget.js").read_bytes()


async def _channel(
    request: Request, name: str, *, any_site: bool = False
) -> tuple[ChannelStore, ChatSettings]:
    store, info = await public_channel(request.app.state.store, name, "chat", "chat", "chat")
    settings = ChatSettings.from_dict(info.settings)
    origin = request.headers.get("origin")
    # A browser sends no Origin on a GET from a page of the server's own site (the
    # widget served through the shop's one address): that is no other site.
    same_site_get = origin is None and request.method == "GET"
    if not any_site and not same_site_get and not settings.allows(origin):
        raise Problem(
            403,
            "Not on this site",
            "Chat is not available on this site. (The shop allows it with "
            f"`cs-tui channel add chat {name} --origin` and the site's address.)",
        )
    return store, settings


async def _visitor(
    request: Request, store: ChannelStore, name: str, token: str | None = None
) -> chat.Visitor:
    if token is None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            token = ""
    keys: dict[str, bytes] = request.app.state.__dict__.setdefault("chat_keys", {})
    key = keys.get(name) or await store.channel_key(name)
    keys[name] = key
    try:
        return chat.verify(token or "", key, now=utcnow())
    except chat.BadToken as error:
        raise Problem(
            401, "Start a new chat", f"This chat cannot go on ({error}); start a new one."
        ) from None


@router.get("/widget.js")
async def widget(request: Request, name: str) -> Response:
    await _channel(request, name, any_site=True)
    headers = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}
    return Response(_widget(), media_type="text/javascript; charset=utf-8", headers=headers)


@router.get("/config")
async def config(request: Request, name: str) -> dict[str, Any]:
    store, settings = await _channel(request, name)
    now = utcnow()
    hours = settings.business_hours
    open_now = hours.open_at(now)
    online = open_now and await store.agents_seen_since(now - chat.ONLINE_WINDOW) > 0
    away = settings.away
    if not open_now and hours.opens_next(now):
        away = f"{away} We are back {hours.opens_next(now)} ({hours.zone})."
    return {
        "channel": name,
        "title": settings.title,
        "online": online,
        "greeting": settings.greeting,
        "away": away,
        "limits": {
            "message_chars": chat.MESSAGE_CHARS,
            "file_bytes": settings.file_bytes,
            "file_types": FILE_TYPES,
        },
    }


@router.post("/session", status_code=201)
async def session(request: Request, name: str, body: NewSession) -> dict[str, Any]:
    store, _ = await _channel(request, name)
    rate_limits(request).check(
        f"session:{client_address(request.scope)}", "New chats are coming", per_minute=1, burst=10
    )
    try:
        visitor = chat.new_visitor(body.name, body.email, body.phone, now=utcnow())
    except ValueError as error:
        field, _, said = str(error).partition(": ")
        raise Problem(422, "Check the form", said[:1].upper() + said[1:] + ".", field=field) from None
    if body.company:  # only a bot fills the field people do not see: it gets nothing that works
        return {"token": "none.none", "visitor": {"name": visitor.name}}
    key = await store.channel_key(name)
    return {"token": chat.sign(visitor, key), "visitor": {"name": visitor.name}}


@router.post("/messages", status_code=202)
async def post_message(request: Request, name: str, body: NewChatMessage) -> dict[str, int]:
    store, _ = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    rate_limits(request).check(f"message:{visitor.id}", "You are sending messages", per_minute=20, burst=8)
    text = body.body.strip()
    if not text:
        raise Problem(422, "Nothing to send", "Write something first.", field="body")
    if len(text) > chat.MESSAGE_CHARS:
        raise Problem(
            422,
            "Too long",
            f"A message is at most {chat.MESSAGE_CHARS:,} characters; send it in parts.",
            field="body",
        )
    return {"id": await _take_in(store, name, visitor, body.client_id, text)}


async def _take_in(
    store: ChannelStore,
    name: str,
    visitor: chat.Visitor,
    client_id: str,
    text: str,
    files: tuple[InboundFile, ...] = (),
) -> int:
    key = f"{visitor.id}:{client_id}"
    taken = await store.take_in(
        name,
        Inbound(
            external_id=f"chat.{key}",
            raw_sha256=hashlib.sha256(key.encode()).hexdigest(),
            sender=visitor.address,
            sender_name=visitor.name,
            subject=chat.chat_subject(text, visitor.name),
            body=text,
            files=files,
            conversation=visitor.conversation(name),
        ),
        cursor=None,
    )
    await store.visitor_said(taken.ticket_id, typing=False)
    return taken.message_id


@router.post("/files", status_code=202)
async def post_file(request: Request, name: str, file: UploadFile) -> dict[str, int]:
    store, settings = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    rate_limits(request).check(f"message:{visitor.id}", "You are sending files", per_minute=20, burst=8)
    kind = (file.content_type or "").split(";")[0].strip().lower()
    if kind not in FILE_TYPES:
        raise Problem(
            415, "Not this kind of file", "Send a photo (JPEG, PNG, GIF, WebP), a PDF or a text file."
        )
    data = await file.read(settings.file_bytes + 1)
    if len(data) > settings.file_bytes:
        raise Problem(413, "File too large", f"A file is at most {settings.file_bytes // (1024 * 1024)} MB.")
    filename = (file.filename or "file").replace("/", "_").replace("\\", "_")[-200:]
    client_id = hashlib.sha256(data).hexdigest()[:32]
    return {"id": await _take_in(store, name, visitor, client_id, "", (InboundFile(filename, kind, data),))}


@router.get("/files/{attachment_id}")
async def get_file(request: Request, name: str, attachment_id: int, token: str = "") -> Response:
    store, _ = await _channel(request, name, any_site=True)  # a link the visitor clicks sends no Origin
    visitor = await _visitor(request, store, name, token)
    ticket_id = await store.conversation_ticket(visitor.conversation(name))
    try:
        info, data = await store.attachment(attachment_id)
    except NotFound:
        info = None
    page = await store.get_messages(ticket_id, limit=500) if ticket_id is not None and info else None
    if info is None or page is None or all(m.id != info.message_id for m in page.messages):
        raise Problem(404, "No such file", "There is no such file in this chat.")
    quoted = info.filename.replace('"', "'")
    headers = {"Content-Disposition": f'attachment; filename="{quoted}"', "X-Content-Type-Options": "nosniff"}
    return Response(data, media_type="application/octet-stream", headers=headers)


@router.post("/typing", status_code=204)
async def typing(request: Request, name: str, body: Typing) -> Response:
    store, _ = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    ticket_id = await store.conversation_ticket(visitor.conversation(name))
    if ticket_id is not None and not rate_limits(request).wait_s(
        f"typing:{visitor.id}", per_minute=30, burst=4
    ):
        await store.visitor_said(ticket_id, typing=body.typing)
    return Response(status_code=204)


@router.post("/read", status_code=204)
async def read(request: Request, name: str, body: ReadUpTo) -> Response:
    store, _ = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    ticket_id = await store.conversation_ticket(visitor.conversation(name))
    if ticket_id is not None:
        await store.customer_read(ticket_id, body.up_to)
    return Response(status_code=204)


@router.post("/end", status_code=204)
async def end(request: Request, name: str) -> Response:
    store, _ = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    ticket_id = await store.conversation_ticket(visitor.conversation(name))
    if ticket_id is not None:
        await store.visitor_said(ticket_id, left=True)
    return Response(status_code=204)


@router.post("/offline", status_code=202)
async def offline(request: Request, name: str, body: AwayMessage) -> dict[str, bool]:
    """A message left by the away form: a ticket through the chat's mailbox, answered
    by email; the same message sent twice within a minute is one."""
    store, settings = await _channel(request, name)
    rate_limits(request).check(
        f"away:{client_address(request.scope)}", "Messages are being sent", per_minute=2, burst=5
    )
    if body.company:  # only a bot fills the field people do not see
        return {"ok": True}
    post = checked(body.model_dump())
    mailbox = await _mailbox(store, settings)
    key = forms.post_key(f"chat:{name}", post, (), utcnow())
    inbound = Inbound(
        external_id=f"chat-away.{name}.{key[:40]}",
        raw_sha256=key,
        sender=post.email,
        sender_name=post.name,
        subject=post.ticket_subject,
        body=post.message,
        came_by="chat",
    )
    await store.take_in(mailbox, inbound, cursor=None)
    return {"ok": True}


@router.post("/transcript", status_code=202)
async def transcript(request: Request, name: str, body: TranscriptTo) -> dict[str, bool]:
    """The visitor's conversation, as they see it, mailed to them by the chat's mailbox
    (a message of the helpdesk's own on the chat's ticket, delivered as replies are)."""
    store, settings = await _channel(request, name)
    visitor = await _visitor(request, store, name)
    try:
        to = forms.checked_email(body.email)
    except forms.FormError as error:
        raise Problem(422, "Check the address", error.said, field=error.field) from None
    ticket_id = await store.conversation_ticket(visitor.conversation(name))
    if ticket_id is None:
        raise Problem(409, "Nothing to send yet", "There is nothing in this chat to send yet.")
    mailbox = await _mailbox(store, settings)
    rate_limits(request).check(
        f"transcript:{visitor.id}", "Transcripts are being asked for", per_minute=3 / 60, burst=3
    )
    page = await store.get_messages(ticket_id, limit=500)
    conversation = [
        forms.Said(
            visitor.name if m.author_kind is AuthorKind.CUSTOMER else m.author_name,
            m.created_at,
            "" if m.body == NO_TEXT else m.body,
            tuple(each.filename for each in m.attachments),
        )
        for m in page.messages
        if _shown(m)
    ]
    await store.queue_transcript(ticket_id, mailbox, to, forms.transcript(conversation))
    return {"ok": True}


async def _mailbox(store: ChannelStore, settings: ChatSettings) -> str:
    mailbox = await answering_mailbox(store, settings.answer_from)
    if mailbox is None:
        raise Problem(
            409,
            "No mailbox",
            "This cannot be sent by email: this shop has no mailbox to send it from. "
            "Write to the shop another way.",
        )
    return mailbox


@router.get("/events")
async def events(
    request: Request, name: str, token: Annotated[str, Query(max_length=2048)] = ""
) -> StreamingResponse:
    """The visitor's conversation: all of it at once, then each change, as SSE."""
    store, _ = await _channel(request, name)
    visitor = await _visitor(request, store, name, token)
    stream = _VisitorStream(request, store, visitor, visitor.conversation(name))
    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream.run(), media_type="text/event-stream", headers=headers)


class _VisitorStream:
    """One visitor's open page: what it was sent, so that it is sent each thing once."""

    def __init__(
        self, request: Request, store: ChannelStore, visitor: chat.Visitor, conversation: str
    ) -> None:
        self.request, self.store, self.visitor, self.conversation = request, store, visitor, conversation
        self.ticket_id: int | None = None
        self.sent: set[int] = set()
        self.typing: str | None = None
        self.ended = False

    async def run(self) -> AsyncIterator[bytes]:
        hub = self.request.app.state.hub
        start = await self.store.last_event_id()
        yield b"retry: 1000\n\n"
        self.ticket_id = await self.store.conversation_ticket(self.conversation)
        yield await self._news()
        loop = asyncio.get_running_loop()
        said_here = loop.time()
        async with aclosing(hub.follow(start, KEEP_ALIVE_S)) as followed:
            async for batch in followed:
                if self.ticket_id is None and any(e.kind is EventKind.TICKET_CREATED for e in batch):
                    self.ticket_id = await self.store.conversation_ticket(self.conversation)
                if self.ticket_id is not None and any(e.ticket_id == self.ticket_id for e in batch):
                    yield await self._news()
                elif not batch:
                    yield b": ping\n\n"
                if self.ticket_id is not None and loop.time() - said_here >= KEEP_ALIVE_S:
                    said_here = loop.time()
                    await self.store.visitor_said(self.ticket_id)

    async def _news(self) -> bytes:
        if self.ticket_id is None:
            return b""
        out: list[bytes] = []
        page = await self.store.get_messages(self.ticket_id, limit=500)
        for message in page.messages:
            if message.id not in self.sent and _shown(message):
                self.sent.add(message.id)
                out.append(_sse("message", _message_json(message, self.visitor)))
        since = utcnow() - timedelta(seconds=chat.TYPING_S * 5)
        replying = [
            p.agent.name
            for p in await self.store.presence(since)
            if p.ticket_id == self.ticket_id and p.activity is Activity.REPLYING
        ]
        typing = replying[0] if replying else None
        if typing != self.typing:
            out.append(_sse("typing", {"name": typing or self.typing or "", "typing": typing is not None}))
            self.typing = typing
        ticket = await self.store.get_ticket(self.ticket_id)
        if not self.ended and ticket.status in (Status.SOLVED, Status.CLOSED):
            self.ended = True
            out.append(_sse("ended", {"by": "agent", "at": to_iso(ticket.updated_at)}))
        left = (await self.store.visitor_states([self.ticket_id])).get(self.ticket_id)
        if not self.ended and left is not None and left.left_at is not None:
            self.ended = True  # the visitor ended it, maybe in another tab
            out.append(_sse("ended", {"by": "visitor", "at": to_iso(left.left_at)}))
        return b"".join(out)


def _shown(message: Message) -> bool:
    """What the visitor sees: their messages, and the team's public replies once sent."""
    if message.internal or message.author_kind is AuthorKind.SYSTEM:
        return False
    if message.author_kind is AuthorKind.CUSTOMER:
        return True
    return message.delivery is None or message.delivery.state in SHOWN


def _message_json(message: Message, visitor: chat.Visitor) -> dict[str, Any]:
    by_visitor = message.author_kind is AuthorKind.CUSTOMER
    return {
        "id": message.id,
        "from": "visitor" if by_visitor else "agent",
        "name": visitor.name if by_visitor else message.author_name,
        "body": "" if message.body == NO_TEXT else message.body,
        "at": to_iso(message.created_at),
        "files": [
            {"id": each.id, "name": each.filename, "size": each.size, "type": each.content_type}
            for each in message.attachments
        ],
    }


def _sse(kind: str, data: dict[str, Any]) -> bytes:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
