"""Meta's Graph API as the three channels use it (httpx, async): a reply sent as text
or, on WhatsApp, as an approved template; a customer's file downloaded; and every
failure turned into a GraphError that says whether trying again can help, and why in
words. The access token goes in a header to Meta's own addresses only; it is never
logged or put in a URL."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Sequence
from types import TracebackType
from typing import Any, NamedTuple
from urllib.parse import quote, urlsplit

import httpx

from cs_tui.channels.meta.errors import GraphError, explain
from cs_tui.channels.meta.settings import MetaSettings
from cs_tui.domain.text import file_size, sanitize_line

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
"""How long to wait to connect, and for each read and write of an answer."""
MAX_MEDIA_BYTES = 100 * 1024 * 1024
"""WhatsApp's largest file (a document) is 100 MB."""
TEXT_LIMITS = {"WhatsApp": 4096, "Messenger": 2000}
"""Characters in one text message: WhatsApp's text body, Messenger's Send API."""
INSTAGRAM_TEXT_BYTES = 1000
"""Instagram takes a text of at most 1,000 bytes of UTF-8."""
_PHONE = re.compile(r"\+?[0-9]{5,20}")
_FILENAME = re.compile(r"""filename\*?=(?:UTF-8'')?"?([^";]+)"?""", re.IGNORECASE)


class Media(NamedTuple):
    """A downloaded file: its bytes, its type as Meta gave it, and its name if the
    answer carried one."""

    data: bytes
    mime_type: str
    filename: str | None


class GraphClient:
    """One channel's way to Meta: `async with GraphClient(settings, token) as graph`.
    `transport` replaces the network (tests)."""

    def __init__(
        self,
        settings: MetaSettings,
        access_token: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self.settings = settings
        self._token = access_token
        self._client = httpx.AsyncClient(
            transport=transport, timeout=timeout, headers={"User-Agent": "cs-tui"}, follow_redirects=False
        )

    async def __aenter__(self) -> GraphClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def send_text(self, to: str, body: str, *, human_agent: bool = False) -> str:
        """Sends `body` as a text and answers Meta's id for it (wamid.… or m_…).
        WhatsApp: `to` is the customer's number or business-scoped user id.
        Messenger and Instagram: `to` is their page- or Instagram-scoped id, and
        `human_agent` sends it with the HUMAN_AGENT tag (a person's reply 24 hours to
        7 days after the customer last wrote)."""
        self._check_length(body)
        if self.settings.kind == "whatsapp":
            payload: dict[str, Any] = {
                **_whatsapp_recipient(to),
                "type": "text",
                "text": {"body": body, "preview_url": False},
            }
            return await self._send_whatsapp(payload)
        payload = {"recipient": {"id": to}}
        payload.update(
            {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}
            if human_agent
            else {"messaging_type": "RESPONSE"}
        )
        payload["message"] = {"text": body}
        return await self._send_page(payload)

    async def send_template(self, to: str, name: str, language: str, params: Sequence[str] = ()) -> str:
        """Sends an approved WhatsApp template, its body's placeholders filled with
        `params` in order, and answers its wamid: what can go out once the
        customer's 24 hours are over."""
        if self.settings.kind != "whatsapp":
            raise GraphError(
                f"templates are WhatsApp's; a {self.settings.kind} channel has none", permanent=True
            )
        known = self.settings.template(name, language)
        if known is not None and known.params != len(params):
            raise GraphError(
                f"the template {name} ({language}) has {known.params} placeholders; "
                f"{len(params)} values were given",
                permanent=True,
            )
        template: dict[str, Any] = {"name": name, "language": {"code": language}}
        if params:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": value} for value in params]}
            ]
        return await self._send_whatsapp(
            {**_whatsapp_recipient(to), "type": "template", "template": template}
        )

    async def download_media(
        self, media_id: str, *, max_bytes: int = MAX_MEDIA_BYTES, expected_sha256: str | None = None
    ) -> Media:
        """A WhatsApp customer's file: its address asked of the Graph API, then the file
        fetched from there with the token (the address lasts 5 minutes, the media id
        7 days). Refused when larger than `max_bytes` or when it does not match the
        SHA-256 Meta gives (or `expected_sha256`, the webhook's)."""
        answer = await self._call("GET", f"{self.settings.graph_url}/{quote(media_id, safe='')}")
        url = answer.get("url")
        if not isinstance(url, str) or not url:
            raise GraphError("Meta's answer for the file has no address to download it from", permanent=True)
        if not self._may_carry_token(url):
            raise GraphError(
                "Meta gave the file an address the access token will not be sent to", permanent=True
            )
        declared = answer.get("file_size")
        if str(declared).isdigit() and int(str(declared)) > max_bytes:
            raise GraphError(_too_large(int(str(declared)), max_bytes), permanent=True)
        media = await self._download(url, max_bytes, with_token=True)
        for checksum in (answer.get("sha256"), expected_sha256):
            if isinstance(checksum, str) and checksum and not _matches(checksum, media.data):
                raise GraphError(
                    "the file downloaded from Meta does not match its SHA-256: it was not kept",
                    permanent=False,
                )
        mime_type = answer.get("mime_type")
        return media._replace(mime_type=mime_type) if isinstance(mime_type, str) and mime_type else media

    async def download_attachment(self, url: str, *, max_bytes: int = MAX_MEDIA_BYTES) -> Media:
        """A Messenger or Instagram customer's file, from the URL in the webhook. That
        URL needs no token, so none is sent."""
        if not url.startswith("https://") and not self._same_origin(url):
            raise GraphError("the attachment's address is not https", permanent=True)
        return await self._download(url, max_bytes, with_token=False)

    async def profile_name(self, user_id: str) -> str:
        """A Messenger or Instagram customer's name (their webhooks carry none), or ""
        when Meta shares none."""
        fields = "name,username" if self.settings.kind == "instagram" else "first_name,last_name"
        answer = await self._call(
            "GET", f"{self.settings.graph_url}/{quote(user_id, safe='')}", params={"fields": fields}
        )
        parts = [answer.get(key) for key in fields.split(",")]
        if self.settings.kind == "instagram":
            parts = parts[:1] if isinstance(parts[0], str) and parts[0] else parts[1:]
        return sanitize_line(" ".join(part for part in parts if isinstance(part, str)))

    async def node(self, node_id: str, fields: str) -> dict[str, Any]:
        """Some `fields` of one node (the phone number, the Page), as a live check asks."""
        url = f"{self.settings.graph_url}/{quote(node_id, safe='')}"
        return await self._call("GET", url, params={"fields": fields})

    def _check_length(self, body: str) -> None:
        if not body.strip():
            raise GraphError("an empty reply cannot be sent", permanent=True)
        kind = self.settings.kind
        if kind == "instagram" and len(body.encode()) > INSTAGRAM_TEXT_BYTES:
            raise GraphError(
                f"Instagram takes at most {INSTAGRAM_TEXT_BYTES} bytes in one message; this reply has "
                f"{len(body.encode())}: shorten it or split it",
                permanent=True,
            )
        name = "WhatsApp" if kind == "whatsapp" else "Messenger"
        limit = TEXT_LIMITS[name]
        if kind != "instagram" and len(body) > limit:
            raise GraphError(
                f"{name} takes at most {limit:,} characters in one message; "
                f"this reply has {len(body):,}: shorten it or split it",
                permanent=True,
            )

    async def _send_whatsapp(self, payload: dict[str, Any]) -> str:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", **payload}
        answer = await self._call(
            "POST", f"{self.settings.graph_url}/{self.settings.business_id}/messages", body
        )
        messages = answer.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            message_id = messages[0].get("id")
            if isinstance(message_id, str) and message_id:
                return message_id
        raise GraphError(_NO_ID, permanent=True)

    async def _send_page(self, payload: dict[str, Any]) -> str:
        answer = await self._call(
            "POST", f"{self.settings.graph_url}/{self.settings.business_id}/messages", payload
        )
        message_id = answer.get("message_id")
        if isinstance(message_id, str) and message_id:
            return message_id
        raise GraphError(_NO_ID, permanent=True)

    async def _call(
        self, method: str, url: str, body: dict[str, Any] | None = None, params: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """A Graph API call with the token, its JSON answer, or a GraphError."""
        try:
            response = await self._client.request(method, url, json=body, params=params, headers=self._auth())
        except httpx.HTTPError as error:
            raise _unreachable(error) from None
        if response.is_success:
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                return answer
            raise GraphError("Meta's Graph API answered something that is not JSON", permanent=False)
        raise self._refusal(response)

    async def _download(self, url: str, max_bytes: int, *, with_token: bool) -> Media:
        headers = self._auth() if with_token else {}
        try:
            async with self._client.stream(
                "GET", url, headers=headers, follow_redirects=not with_token
            ) as response:
                if not response.is_success:
                    await response.aread()
                    raise self._refusal(response)
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise GraphError(_too_large(int(declared), max_bytes), permanent=True)
                chunks, size = [], 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise GraphError(_too_large(size, max_bytes), permanent=True)
                    chunks.append(chunk)
                mime_type = response.headers.get("content-type", "application/octet-stream")
                found = _FILENAME.search(response.headers.get("content-disposition", ""))
                filename = sanitize_line(found.group(1)) if found else ""
                return Media(b"".join(chunks), mime_type.split(";")[0].strip(), filename or None)
        except httpx.HTTPError as error:
            raise _unreachable(error) from None

    def _refusal(self, response: httpx.Response) -> GraphError:
        """Meta's error answer, `{"error": {"message", "type", "code", "error_subcode",
        "error_data": {"details"}, "fbtrace_id"}}`, as a GraphError."""
        try:
            answer = response.json()
        except ValueError:
            answer = None
        error = answer.get("error") if isinstance(answer, dict) else None
        if not isinstance(error, dict):
            temporary = response.status_code == 429 or response.status_code >= 500
            return GraphError(
                f"Meta's Graph API answered HTTP {response.status_code}",
                permanent=not temporary,
                status=response.status_code,
            )
        code = error.get("code") if isinstance(error.get("code"), int) else None
        subcode = error.get("error_subcode") if isinstance(error.get("error_subcode"), int) else None
        data = error.get("error_data")
        details = data.get("details") if isinstance(data, dict) else data
        explained = explain(
            self.settings.kind,
            code,
            subcode=subcode,
            http_status=response.status_code,
            message=sanitize_line(str(error.get("message") or "")),
            details=sanitize_line(details) if isinstance(details, str) else "",
        )
        trace = error.get("fbtrace_id")
        return GraphError(
            explained.reason,
            permanent=explained.permanent,
            code=code,
            subcode=subcode,
            status=response.status_code,
            fbtrace_id=trace if isinstance(trace, str) else None,
        )

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _may_carry_token(self, url: str) -> bool:
        """The token goes to https addresses (Meta's, as the Graph API named them) or
        to the Graph API's own origin (a stand-in on this machine)."""
        return url.startswith("https://") or self._same_origin(url)

    def _same_origin(self, url: str) -> bool:
        given, graph = urlsplit(url), urlsplit(self.settings.graph_url)
        return (given.scheme, given.netloc) == (graph.scheme, graph.netloc)


_NO_ID = "Meta took the message but answered without its id; it is not sent again, to send it once"


def _whatsapp_recipient(to: str) -> dict[str, str]:
    """A phone number goes in `to`; a business-scoped user id (`US.1349…`, for a
    customer who hides their number behind a username) goes in `recipient`."""
    return {"to": to.lstrip("+")} if _PHONE.fullmatch(to) else {"recipient": to}


def _matches(checksum: str, data: bytes) -> bool:
    """Whether `data` has this SHA-256, given in hex or in base64 (WhatsApp's webhooks
    have used both)."""
    digest = hashlib.sha256(data).digest()
    given = checksum.strip()
    if given.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(given, validate=True) == digest
    except ValueError:
        return False


def _too_large(size: int, max_bytes: int) -> str:
    return f"the file is {file_size(size)}, more than the {file_size(max_bytes)} cs-tui takes"


def _unreachable(error: httpx.HTTPError) -> GraphError:
    """A failure on the way: never Meta's refusal, so it may work later."""
    unknown = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(error, httpx.TimeoutException):
        return GraphError(
            "Meta's Graph API did not answer in time; it will be tried again",
            permanent=False,
            outcome_unknown=unknown,
        )
    return GraphError(
        f"Meta's Graph API could not be reached ({type(error).__name__}); it will be tried again",
        permanent=False,
        outcome_unknown=unknown,
    )
