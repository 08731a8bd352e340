"""Meta's webhooks for WhatsApp, Messenger and Instagram, `/public/v1/KIND/NAME/webhook`:
the GET handshake that proves the URL is the shop's, and the POST of each delivery,
whose signature is checked over the raw body before anything is read from it. A
delivery is kept in the channel's inbox and answered 200 at once (Meta wants an answer
within seconds and sends again otherwise); the channel's worker takes it in after."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from cs_tui.channels.meta.settings import KINDS, MetaSettings, Secret, SettingsError, read_secret
from cs_tui.channels.meta.webhooks import SIGNATURE_HEADER, signature_ok, verify_handshake
from cs_tui.server.problems import Problem
from cs_tui.server.public.guard import PUBLIC, RateLimits, client_address
from cs_tui.store.base import ChannelStore, NotFound, channel_store

router = APIRouter(prefix=PUBLIC, tags=["Meta webhooks"], include_in_schema=False)
log = logging.getLogger(__name__)

MAX_DELIVERY_BYTES = 1024 * 1024
"""A webhook delivery's body at most: Meta's are a few kilobytes (files come by id)."""
PER_MINUTE = 1200
"""Deliveries one address may send a minute (a burst of BURST at once): Meta sends one
for each message and each status, from many addresses."""
BURST = 300
_NAMES = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}


async def _channel(request: Request, kind: str, name: str) -> tuple[ChannelStore, MetaSettings]:
    if kind not in KINDS:
        raise Problem(404, "Not found", f"There is nothing at {request.url.path}.")
    store = channel_store(request.app.state.store)
    if store is None:
        raise Problem(503, "No channels here", "This server has no channels: its store is another server's.")
    try:
        info = await store.get_channel(name)
    except NotFound:
        info = None
    if info is None or info.kind != kind:
        raise Problem(404, "No such channel", f"There is no {_NAMES[kind]} channel named {name} here.")
    try:
        return store, MetaSettings.from_dict(info.settings)
    except SettingsError as error:
        log.warning("%s: its settings cannot work: %s", name, error)
        raise Problem(
            503,
            "Channel not working",
            f"The channel {name} cannot work as set up; the server's log says why.",
        ) from None


def _secret(settings: MetaSettings, name: str, which: Secret) -> str:
    """A secret of the channel's, or 503 (Meta tries again later): the log says what
    is wrong, the answer names nothing of the server's."""
    try:
        return read_secret(settings, which)
    except SettingsError as error:
        log.warning("%s: %s", name, error)
        raise Problem(
            503,
            "Channel not working",
            f"The channel {name} cannot read its {which.replace('_', ' ')} now; the server's log says why.",
        ) from None


@router.get("/{kind}/{name}/webhook")
async def handshake(request: Request, kind: str, name: str) -> Response:
    """Meta's check that the callback URL is ours: the challenge echoed back when the
    verify token is the channel's."""
    _store, settings = await _channel(request, kind, name)
    challenge = verify_handshake(request.query_params, _secret(settings, name, "verify_token"))
    if challenge is None:
        _limits(request).check(
            f"webhook:{client_address(request.scope)}",
            "Wrong verify tokens are sent",
            per_minute=30,
            burst=10,
        )
        raise Problem(
            403,
            "Wrong verify token",
            "The verify token is not this channel's: give Meta the one in the file or environment "
            "variable the channel reads it from (`cs-tui channel check NAME` says which).",
        )
    return PlainTextResponse(challenge)


@router.post("/{kind}/{name}/webhook")
async def delivery(request: Request, kind: str, name: str) -> Response:
    """A delivery of messages and statuses: kept when Meta signed it, answered at once."""
    store, settings = await _channel(request, kind, name)
    _limits(request).check(
        f"webhook:{client_address(request.scope)}", "Deliveries are sent", per_minute=PER_MINUTE, burst=BURST
    )
    raw = await _body(request)
    if not signature_ok(raw, request.headers.get(SIGNATURE_HEADER), _secret(settings, name, "app_secret")):
        raise Problem(
            403,
            "Bad signature",
            f"The delivery's {SIGNATURE_HEADER} is missing or is not signed with this channel's app "
            "secret, so it was not kept.",
        )
    await store.keep_received(name, raw)
    return Response(status_code=200)


async def _body(request: Request) -> bytes:
    said = request.headers.get("content-length", "")
    if said.isdigit() and int(said) > MAX_DELIVERY_BYTES:
        raise _too_large()
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_DELIVERY_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> Problem:
    return Problem(
        413, "Delivery too large", f"A webhook delivery is at most {MAX_DELIVERY_BYTES // 1024} KB."
    )


def _limits(request: Request) -> RateLimits:
    limits: RateLimits | None = getattr(request.app.state, "public_limits", None)
    if limits is None:
        limits = request.app.state.public_limits = RateLimits()
    return limits
