"""HttpStore: the Store protocol spoken to `cs-tui serve` over HTTP.

It signs in with one agent's token and acts as that agent. A call that names
another agent (or None, the helpdesk itself) asks the server to act on their
behalf, which only an admin's token may.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from cs_tui.domain import limits
from cs_tui.domain.channels import AttachmentInfo
from cs_tui.domain.chat import VisitorState
from cs_tui.domain.counts import QueuePage
from cs_tui.domain.importing import Repeats
from cs_tui.domain.messaging import WhatsAppTemplate
from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import (
    Activity,
    Agent,
    CannedResponse,
    Csat,
    Draft,
    Event,
    Message,
    MessagePage,
    NewMessage,
    NewTicket,
    Presence,
    Role,
    SlaPolicy,
    Ticket,
    TicketChanges,
    TicketPage,
    Unset,
)
from cs_tui.domain.query import Query, Sort
from cs_tui.domain.records import RecordError, TicketRecord, check, from_json
from cs_tui.domain.rules import RuleBroken, cleaned_record
from cs_tui.domain.timeutil import to_iso
from cs_tui.store.base import ImportProblem, ImportReport, NotFound, StoreUnavailable, Unauthorized
from cs_tui.store.http.client import BACKOFF_S, HELPDESK, ON_BEHALF, Client, raise_for_problem
from cs_tui.store.http.customers import CustomerCalls
from cs_tui.store.http.merging import TicketMoves
from cs_tui.store.http.snoozing import SnoozeWaking
from cs_tui.store.http.sse import read_events

T = TypeVar("T")
IMPORT_BATCH = 500
"""Tickets sent in one import request, at most."""
IMPORT_REQUEST_BYTES = limits.REQUEST_BYTES - 1024
"""The JSON of the tickets in one import request, at most: the server's limit, less
room for what wraps them."""
IDS_PER_REQUEST = 400
HELPDESK_AGENT_ID = 0
"""The id of whom the server's service token signs in as: the helpdesk itself."""
EVENTS_READ_TIMEOUT_S = 45.0
"""Three of the server's heartbeats: a stream silent for longer is dead and is opened again."""

_adapters: dict[Any, TypeAdapter[Any]] = {}


def decode(kind: type[T] | Any, data: Any) -> T:
    adapter = _adapters.get(kind)
    if adapter is None:
        adapter = _adapters[kind] = TypeAdapter(kind)
    value: T = adapter.validate_python(data)
    return value


def encode(value: Any) -> Any:
    adapter = _adapters.get(type(value))
    if adapter is None:
        adapter = _adapters[type(value)] = TypeAdapter(type(value))
    return adapter.dump_python(value, mode="json")


def import_requests(records: Iterable[tuple[int, TicketRecord]], report: ImportReport) -> Iterator[list[Any]]:
    """The lines of an import, a request's worth at a time: at most IMPORT_BATCH, and
    within the server's body limit. A line that repeats an earlier one of the import
    is kept back, as the server would (it sees one request at a time), and a ticket too
    big for any request is refused by its line; both go in `report`."""
    repeats = Repeats()
    pending: list[Any] = []
    size = 0
    for line, record in records:
        try:
            check(record)
            repeat = repeats.of(cleaned_record(record), line)
        except (RecordError, RuleBroken):
            repeat = None  # the server says what is wrong with it
        if repeat:
            report.warnings.append(ImportProblem(line, repeat))
            report.repeated += 1
            continue
        item = {"line": line, "record": record.to_json()}
        try:
            item_size = len(json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode()) + 1
        except UnicodeEncodeError as error:
            report.problems.append(ImportProblem(line, f"cannot be sent: {error}"))
            continue
        if too_big := limits.over("the ticket", item_size, IMPORT_REQUEST_BYTES, "bytes"):
            what_to_do = "import it into the server's store where it runs (cs-tui import --store PATH)"
            report.problems.append(
                ImportProblem(line, f"{too_big} as JSON, more than a request takes: {what_to_do}")
            )
            continue
        if pending and (len(pending) == IMPORT_BATCH or size + item_size > IMPORT_REQUEST_BYTES):
            yield pending
            pending, size = [], 0
        pending.append(item)
        size += item_size
    if pending:
        yield pending


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    it = iter(items)
    while batch := tuple(islice(it, size)):
        yield batch


class HttpStore(TicketMoves, SnoozeWaking, CustomerCalls):
    """A store served by `cs-tui serve` at `url`, signed in with `token`."""

    def __init__(self, client: Client, agent: Agent, sla: SlaPolicy) -> None:
        self._client = client
        self.agent = agent
        """Whom the token signs in as: who this store acts as."""
        self._own_id = None if agent.id == HELPDESK_AGENT_ID else agent.id
        self.sla = sla

    @classmethod
    async def open(cls, url: str, token: str | None, *, verify: bool | str = True) -> HttpStore:
        if not token:
            raise Unauthorized(
                f'{url} needs a token: pass --token, set CS_TUI_TOKEN or put token = "..." in the config '
                "(an admin makes one with `cs-tui agent add` or `cs-tui agent token`)"
            )
        client = Client(url, token, verify=verify)
        try:
            agent: Agent = decode(Agent, (await client.call("GET", "/me")).json())
            sla: SlaPolicy = decode(SlaPolicy, (await client.call("GET", "/sla")).json())
        except BaseException:
            await client.close()
            raise
        return cls(client, agent, sla)

    async def close(self) -> None:
        await self._client.close()

    def _as(self, agent_id: int | None) -> dict[str, str] | None:
        """The header that makes a request act as `agent_id` when that is not us."""
        if agent_id == self._own_id:
            return None
        return {ON_BEHALF: HELPDESK if agent_id is None else str(agent_id)}

    def _viewing(self, viewer_id: int | None) -> dict[str, str] | None:
        """For reads: "me" is `viewer_id`; with none given, the token's agent (or, for
        the service token, nobody), as reading needs nobody's rights."""
        return None if viewer_id is None and self._own_id is not None else self._as(viewer_id)

    async def _get(self, path: str, kind: Any, *, params: Any = None, agent_id: Any = ...) -> Any:
        headers = None if agent_id is ... else self._as(agent_id)
        answer = await self._client.call("GET", path, params=params, headers=headers)
        return decode(kind, answer.json())

    # Tickets

    async def list_tickets(
        self,
        query: Query | None = None,
        *,
        viewer_id: int | None = None,
        sort: Sort = Sort.UPDATED,
        after: str | None = None,
        limit: int = 50,
    ) -> TicketPage:
        params: dict[str, Any] = {"q": query.format() if query else "", "sort": sort.value, "limit": limit}
        if after is not None:
            params["after"] = after
        answer = await self._client.call("GET", "/tickets", params=params, headers=self._viewing(viewer_id))
        carried: QueuePage = decode(QueuePage, answer.json())
        return carried.page()

    async def count_tickets(self, query: Query | None = None, *, viewer_id: int | None = None) -> int:
        params = {"q": query.format() if query else ""}
        answer = await self._client.call(
            "GET", "/tickets/count", params=params, headers=self._viewing(viewer_id)
        )
        return int(answer.json()["count"])

    async def get_ticket(self, ticket_id: int) -> Ticket:
        ticket: Ticket = await self._get(f"/tickets/{ticket_id}", Ticket)
        return ticket

    async def get_messages(
        self, ticket_id: int, *, before: int | None = None, limit: int = 100
    ) -> MessagePage:
        params: dict[str, Any] = {"limit": limit}
        if before is not None:
            params["before"] = before
        page: MessagePage = await self._get(f"/tickets/{ticket_id}/messages", MessagePage, params=params)
        return page

    async def attachment(self, attachment_id: int) -> tuple[AttachmentInfo, bytes]:
        """A file a message came with, and its bytes."""
        info: AttachmentInfo = await self._get(f"/attachments/{attachment_id}", AttachmentInfo)
        answer = await self._client.call("GET", f"/attachments/{attachment_id}/content")
        return info, answer.content

    async def create_ticket(self, new: NewTicket, *, actor_id: int | None) -> Ticket:
        if new.client_id is None:
            new = replace(new, client_id=str(uuid.uuid4()))  # so that sending it again is safe
        answer = await self._client.call(
            "POST", "/tickets", json=encode(new), headers=self._as(actor_id), idempotent=True
        )
        return decode(Ticket, answer.json())

    async def add_message(self, ticket_id: int, new: NewMessage, *, actor_id: int | None) -> Message:
        answer = await self._client.call(
            "POST",
            f"/tickets/{ticket_id}/messages",
            json=encode(new),
            headers=self._as(actor_id),
            idempotent=True,
        )
        return decode(Message, answer.json())

    async def update_ticket(
        self, ticket_id: int, changes: TicketChanges, *, expected_version: int, actor_id: int | None
    ) -> Ticket:
        body: dict[str, Any] = {"expected_version": expected_version}
        for name in ("status", "priority", "subject"):
            if (value := getattr(changes, name)) is not None:
                body[name] = value
        if not isinstance(changes.assignee_id, Unset):
            body["assignee_id"] = changes.assignee_id
        if not isinstance(changes.snoozed_until, Unset):
            body["snoozed_until"] = changes.snoozed_until and to_iso(changes.snoozed_until)
        if changes.add_tags:
            body["add_tags"] = list(changes.add_tags)
        if changes.remove_tags:
            body["remove_tags"] = list(changes.remove_tags)
        answer = await self._client.call(
            "PATCH", f"/tickets/{ticket_id}", json=body, headers=self._as(actor_id)
        )
        return decode(Ticket, answer.json())

    async def rate_ticket(self, ticket_id: int, csat: Csat) -> Ticket:
        answer = await self._client.call("PUT", f"/tickets/{ticket_id}/rating", json=encode(csat))
        return decode(Ticket, answer.json())

    # Canned responses

    async def list_canned(self) -> list[CannedResponse]:
        found: list[CannedResponse] = await self._get("/canned", list[CannedResponse])
        return found

    async def get_canned(self, canned_id: int) -> CannedResponse:
        canned: CannedResponse = await self._get(f"/canned/{canned_id}", CannedResponse)
        return canned

    async def save_canned(self, canned: CannedResponse, *, actor_id: int | None) -> CannedResponse:
        if canned.id is None:
            answer = await self._client.call(
                "POST", "/canned", json=encode(canned), headers=self._as(actor_id)
            )
        else:
            path = f"/canned/{canned.id}"
            answer = await self._client.call("PUT", path, json=encode(canned), headers=self._as(actor_id))
        return decode(CannedResponse, answer.json())

    async def delete_canned(self, canned_id: int, *, actor_id: int | None) -> None:
        await self._client.call("DELETE", f"/canned/{canned_id}", headers=self._as(actor_id))

    async def record_canned_use(self, canned_id: int) -> None:
        await self._client.call("POST", f"/canned/{canned_id}/uses")

    # Drafts

    async def get_draft(self, agent_id: int, ticket_id: int) -> Draft | None:
        try:
            draft: Draft = await self._get(f"/drafts/{ticket_id}", Draft, agent_id=agent_id)
        except NotFound:
            return None
        return draft

    async def save_draft(self, draft: Draft) -> Draft:
        body = {"body": draft.body, "kind": draft.kind.value}
        answer = await self._client.call(
            "PUT", f"/drafts/{draft.ticket_id}", json=body, headers=self._as(draft.agent_id)
        )
        return decode(Draft, answer.json())

    async def delete_draft(self, agent_id: int, ticket_id: int) -> None:
        await self._client.call("DELETE", f"/drafts/{ticket_id}", headers=self._as(agent_id))

    # Read marks

    async def mark_read(self, agent_id: int, ticket_id: int, message_id: int) -> None:
        body = {"message_id": message_id}
        await self._client.call("PUT", f"/reads/{ticket_id}", json=body, headers=self._as(agent_id))

    async def unread_tickets(self, agent_id: int, ticket_ids: Sequence[int]) -> set[int]:
        unread: set[int] = set()
        for some in batched(dict.fromkeys(ticket_ids), IDS_PER_REQUEST):
            found = await self._get("/unread", list[int], params={"ticket_id": list(some)}, agent_id=agent_id)
            unread.update(found)
        return unread

    # Agents

    async def list_agents(self) -> list[Agent]:
        agents: list[Agent] = await self._get("/agents", list[Agent])
        return agents

    async def get_agent(self, agent_id: int) -> Agent:
        agent: Agent = await self._get(f"/agents/{agent_id}", Agent)
        return agent

    async def find_agent(self, email_or_name: str) -> Agent | None:
        try:
            agent: Agent = await self._get("/agents/find", Agent, params={"who": email_or_name})
        except NotFound:
            return None
        return agent

    async def create_agent(
        self, name: str, email: str, role: Role = Role.AGENT, *, token_hash: str | None = None
    ) -> Agent:
        body = {"name": name, "email": email, "role": role.value, "token_hash": token_hash}
        return decode(Agent, (await self._client.call("POST", "/agents", json=body)).json())

    async def ensure_agent(self, name: str, email: str) -> Agent:
        body = {"name": name, "email": email}
        answer = await self._client.call("POST", "/agents/ensure", json=body, idempotent=True)
        return decode(Agent, answer.json())

    async def set_agent_token(self, agent_id: int, token_hash: str | None) -> Agent:
        answer = await self._client.call("PUT", f"/agents/{agent_id}/token", json={"token_hash": token_hash})
        return decode(Agent, answer.json())

    async def agent_for_token(self, token_hash: str) -> Agent | None:
        try:
            answer = await self._client.call(
                "POST", "/agents/by-token", json={"token_hash": token_hash}, idempotent=True
            )
        except NotFound:
            return None
        return decode(Agent, answer.json())

    # Presence

    async def set_presence(
        self, session: str, agent_id: int, ticket_id: int | None, activity: Activity = Activity.VIEWING
    ) -> None:
        body = {"ticket_id": ticket_id, "activity": activity.value}
        path = f"/presence/{quote(session, safe='')}"
        await self._client.call("PUT", path, json=body, headers=self._as(agent_id))

    async def presence(self, since: datetime) -> list[Presence]:
        found: list[Presence] = await self._get(
            "/presence", list[Presence], params={"since": since.isoformat()}
        )
        return found

    async def reply_templates(self, channel: str) -> tuple[WhatsAppTemplate, ...]:
        found: list[WhatsAppTemplate] = await self._get(
            f"/channels/{quote(channel, safe='')}/templates", list[WhatsAppTemplate]
        )
        return tuple(found)

    async def visitor_states(self, ticket_ids: Sequence[int]) -> dict[int, VisitorState]:
        if not ticket_ids:
            return {}
        found: dict[int, VisitorState] = await self._get(
            "/visitors", dict[int, VisitorState], params={"ticket": list(ticket_ids)}
        )
        return found

    # Live updates

    async def last_event_id(self) -> int:
        return int((await self._client.call("GET", "/events/last")).json()["id"])

    async def events(self, since: int) -> AsyncIterator[Event]:
        """Every event after `since` from the server's stream; a dropped stream is
        opened again from the last event seen, so none is missed or repeated."""
        last = since
        failures = 0
        timeout = httpx.Timeout(EVENTS_READ_TIMEOUT_S, connect=5.0)
        while True:
            try:
                async with self._client.http.stream(
                    "GET",
                    "/events",
                    params={"since": last},
                    headers={"Last-Event-ID": str(last)},
                    timeout=timeout,
                ) as answer:
                    if answer.status_code >= 400:
                        await answer.aread()
                        raise_for_problem(answer)
                    failures = 0
                    async for event in read_events(answer.aiter_lines()):
                        if event.id > last:
                            last = event.id
                            yield event
            except (httpx.TransportError, StoreUnavailable):
                failures += 1  # a TokenRefused goes to the caller: no retry brings it back
            await asyncio.sleep(min(BACKOFF_S * 2 ** min(failures, 5), 5.0))

    # Metrics

    async def metrics(
        self, window: Window, *, viewer_id: int | None = None, now: datetime | None = None
    ) -> Metrics:
        params = {"since": window.since.isoformat(), "until": window.until.isoformat()}
        if now is not None:
            params["now"] = now.isoformat()
        answer = await self._client.call("GET", "/metrics", params=params, headers=self._viewing(viewer_id))
        metrics: Metrics = decode(Metrics, answer.json())
        return metrics

    async def new_tickets_per_hour(self, since: datetime, until: datetime) -> list[int]:
        params = {"since": since.isoformat(), "until": until.isoformat()}
        hours: list[int] = await self._get("/metrics/hourly", list[int], params=params)
        return hours

    # Import and export

    async def import_tickets(
        self, records: Iterable[tuple[int, TicketRecord]], *, actor_id: int | None = None
    ) -> ImportReport:
        report = ImportReport()
        for batch in import_requests(records, report):
            answer = await self._client.call(
                "POST", "/import", json={"records": batch}, headers=self._as(actor_id)
            )
            part = answer.json()
            report.imported += part["imported"]
            report.skipped += part["skipped"]
            report.repeated += part.get("repeated", 0)
            report.problems.extend(ImportProblem(p["line"], p["message"]) for p in part["problems"])
            report.warnings.extend(ImportProblem(w["line"], w["message"]) for w in part.get("warnings", ()))
        report.problems.sort(key=lambda problem: problem.line)
        report.warnings.sort(key=lambda warning: warning.line)
        return report

    async def export_tickets(self) -> AsyncIterator[TicketRecord]:
        async with self._client.http.stream("GET", "/export") as answer:
            if answer.status_code >= 400:
                await answer.aread()
                raise_for_problem(answer)
            async for line in answer.aiter_lines():
                if line.strip():
                    yield from_json(json.loads(line))
