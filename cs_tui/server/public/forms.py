"""Web forms on the shop's site, `POST /public/v1/forms/NAME`: a plain HTML form
(URL-encoded, or multipart with files) or JSON from a script. A post becomes a ticket
taken in by the form's mailbox, so that its answers go to the customer by email; the
same post sent twice within a minute is one ticket. A browser is answered with a page
(or sent on to the shop's own), a script with JSON; what the customer wrote is never
put into a page as markup."""

from __future__ import annotations

import hashlib
import html
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from cs_tui.channels.chat.settings import FILE_TYPES
from cs_tui.channels.form.settings import FormSettings
from cs_tui.domain import forms
from cs_tui.domain.channels import Inbound, InboundFile
from cs_tui.domain.text import sanitize_line
from cs_tui.domain.timeutil import utcnow
from cs_tui.server.problems import Problem
from cs_tui.server.public.guard import PUBLIC, RateLimits, client_address, public_channel
from cs_tui.store.base import ChannelStore, NotFound

router = APIRouter(prefix=f"{PUBLIC}/forms", tags=["web forms"], include_in_schema=False)

FIELDS = ("name", "email", "subject", "message", "company")
LABELS = {"name": "Name", "email": "Email", "subject": "Subject", "message": "Message", "files": "Files"}
THANKS = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Thank you</title>
<style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}}</style>
</head>
<body>
<h1>Thank you</h1>
<p>We have your message and will answer by email at <strong>{address}</strong>.</p>
<p>You may close this page.</p>
</body>
</html>
"""
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def rate_limits(request: Request) -> RateLimits:
    """The server's limits on how fast the public may write, shared by every door."""
    limits: RateLimits | None = getattr(request.app.state, "public_limits", None)
    if limits is None:
        limits = request.app.state.public_limits = RateLimits()
    return limits


async def answering_mailbox(store: ChannelStore, named: str) -> str | None:
    """The mailbox that takes a web channel's posts in and answers them by email
    (domain.forms.answering_mailbox), or None when the shop has none."""
    return forms.answering_mailbox(await store.list_channels(), named)


def checked(fields: dict[str, str]) -> forms.FormPost:
    """The post's fields as the helpdesk takes them; 422 naming the field to fix."""
    try:
        return forms.checked_post(
            name=fields.get("name", ""),
            email=fields.get("email", ""),
            subject=fields.get("subject", ""),
            message=fields.get("message", ""),
        )
    except forms.FormError as error:
        raise Problem(422, "Check the form", error.said, field=error.field) from None


@router.post("/{name}")
async def post_form(request: Request, name: str) -> Response:
    as_json = _wants_json(request)
    try:
        return await _take_post(request, name, as_json=as_json)
    except Problem as problem:
        if as_json:
            raise
        return _error_page(problem)


async def _take_post(request: Request, name: str, *, as_json: bool) -> Response:
    store, settings = await _form(request, name)
    rate_limits(request).check(
        f"form:{client_address(request.scope)}", "Forms are being sent", per_minute=2, burst=5
    )
    files: list[InboundFile] = []
    if _content_type(request) == "application/json":
        fields = await _json_fields(request)
    else:
        fields, files = await _form_fields(request, settings)
    if fields.get("company"):  # only a bot fills the field people do not see: thanked, and forgotten
        return _thanks(settings, sanitize_line(fields.get("email", "")), as_json=as_json)
    post = checked(fields)
    mailbox = await answering_mailbox(store, settings.mailbox)
    if mailbox is None:
        raise Problem(
            503, "Not taking messages", "This form cannot take messages just now; write to us by email."
        )
    digests = [hashlib.sha256(each.data).hexdigest() for each in files]
    key = forms.post_key(f"form:{name}", post, digests, utcnow())
    inbound = Inbound(
        external_id=f"form.{name}.{key[:40]}",
        raw_sha256=key,
        sender=post.email,
        sender_name=post.name,
        subject=post.ticket_subject,
        body=post.message,
        files=tuple(files),
        came_by="form",
    )
    try:
        await store.take_in(mailbox, inbound, cursor=None)
    except NotFound:  # the mailbox was removed this very moment
        raise Problem(
            503, "Not taking messages", "This form cannot take messages just now; try again."
        ) from None
    return _thanks(settings, post.email, as_json=as_json)


async def _form(request: Request, name: str) -> tuple[ChannelStore, FormSettings]:
    store, info = await public_channel(request.app.state.store, name, "form", "form", "forms")
    settings = FormSettings.from_dict(info.settings)
    if not settings.allows(request.headers.get("origin")):
        raise Problem(
            403,
            "Not from this site",
            "This form does not take messages from this site. (The shop allows a site with "
            f"`cs-tui channel add form {name} --origin` and the site's address.)",
        )
    return store, settings


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _wants_json(request: Request) -> bool:
    kind = _content_type(request)
    return kind == "application/json" or "application/json" in request.headers.get("accept", "").lower()


async def _json_fields(request: Request) -> dict[str, str]:
    try:
        said: Any = await request.json()
    except ValueError:
        raise Problem(400, "Not JSON", "The body is not JSON: send an object of the form's fields.") from None
    if not isinstance(said, dict):
        raise Problem(422, "Check the form", "Send an object of the form's fields.")
    fields: dict[str, str] = {}
    for field in FIELDS:
        value = said.get(field)
        if value is not None and not isinstance(value, str):
            raise Problem(422, "Check the form", f"{LABELS.get(field, field)} must be text.", field=field)
        fields[field] = value or ""
    return fields


async def _form_fields(request: Request, settings: FormSettings) -> tuple[dict[str, str], list[InboundFile]]:
    if _content_type(request) not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Problem(
            415,
            "Not a form",
            "Send the form as a browser does (application/x-www-form-urlencoded or multipart/form-data), "
            "or as JSON.",
        )
    try:
        form = await request.form(max_files=forms.FILES_AT_MOST + 1, max_fields=50)
    except Problem:
        raise
    except HTTPException as error:
        if "files" in str(error.detail).lower():
            raise Problem(
                413, "Too many files", f"Attach at most {forms.FILES_AT_MOST} files.", field="files"
            ) from None
        raise Problem(400, "Cannot read the form", str(error.detail)) from None
    fields = {field: value for field in FIELDS if isinstance(value := form.get(field, ""), str)}
    return fields, await _files(form, settings)


async def _files(form: FormData, settings: FormSettings) -> list[InboundFile]:
    chosen = [
        each
        for each in form.getlist("files")
        if isinstance(each, UploadFile) and (each.filename or each.size)  # a file input left empty sends one
    ]
    if len(chosen) > forms.FILES_AT_MOST:
        raise Problem(413, "Too many files", f"Attach at most {forms.FILES_AT_MOST} files.", field="files")
    files = []
    for each in chosen:
        kind = (each.content_type or "").split(";")[0].strip().lower()
        if kind not in FILE_TYPES:
            raise Problem(
                415,
                "Not this kind of file",
                f"{sanitize_line(each.filename or 'A file')[:100]}: attach photos (JPEG, PNG, GIF, WebP), "
                "PDFs or text files.",
                field="files",
            )
        data = await each.read(settings.file_bytes + 1)
        if len(data) > settings.file_bytes:
            raise Problem(
                413,
                "File too large",
                f"A file is at most {settings.file_bytes // (1024 * 1024)} MB.",
                field="files",
            )
        filename = sanitize_line(each.filename or "").replace("/", "_").replace("\\", "_")[-200:] or "file"
        files.append(InboundFile(filename, kind, data))
    return files


def _thanks(settings: FormSettings, address: str, *, as_json: bool) -> Response:
    if as_json:
        said = f"Thanks, we will answer by email at {address}."
        return JSONResponse({"ok": True, "message": said}, status_code=201)
    if settings.redirect:
        return RedirectResponse(settings.redirect, status_code=303)
    page = THANKS.format(address=html.escape(address[:320], quote=True))
    return HTMLResponse(page, headers=PAGE_HEADERS)


def _error_page(problem: Problem) -> Response:
    """What a browser that posted the form shows: what to fix, as plain text."""
    label = LABELS.get(problem.field or "", "")
    said = f"{label}: {problem.detail}" if label else problem.detail
    lines = ["The form was not sent.", "", said]
    if problem.status in (413, 415, 422):
        lines += ["", "Go back to the form, fix this and send it again."]
    headers = {**problem.headers, "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}
    return PlainTextResponse("\n".join(lines) + "\n", status_code=problem.status, headers=headers)
