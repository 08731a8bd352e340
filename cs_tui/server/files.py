"""Attachments over HTTP: what a file is, and its bytes, always as a download
(never shown by a browser as a page, whatever the customer said it was)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from cs_tui.domain.channels import AttachmentInfo
from cs_tui.server.auth import Signed
from cs_tui.server.bodies import PathId
from cs_tui.server.problems import Problem
from cs_tui.server.tickets import Stored
from cs_tui.store.base import ChannelStore, channel_store

router = APIRouter(tags=["attachments"])


def _files(store: Stored) -> ChannelStore:
    found = channel_store(store)
    if found is None:
        raise Problem(404, "Not found", "this server's store keeps no attachments")
    return found


@router.get("/attachments/{attachment_id}")
async def attachment_info(attachment_id: PathId, store: Stored, agent: Signed) -> AttachmentInfo:
    """A file a message came with: its name, type and size as the customer's mail said."""
    info, _data = await _files(store).attachment(attachment_id)
    return info


@router.get(
    "/attachments/{attachment_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def attachment_content(attachment_id: PathId, store: Stored, agent: Signed) -> Response:
    """The file's bytes, as a download: application/octet-stream, never sniffed."""
    info, data = await _files(store).attachment(attachment_id)
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(info.filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
