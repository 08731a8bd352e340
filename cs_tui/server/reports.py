"""Metrics, the SLA policy, and tickets in and out in the import format."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from cs_tui.domain.metrics import Metrics, Window
from cs_tui.domain.models import SlaPolicy
from cs_tui.domain.records import RecordError, TicketRecord, from_json
from cs_tui.server.auth import Admin, Calling, Signed
from cs_tui.server.bodies import ImportBatch
from cs_tui.server.problems import Problem
from cs_tui.server.tickets import Stored
from cs_tui.store.base import ImportProblem, ImportReport

router = APIRouter()


@router.get("/metrics", tags=["metrics"])
async def metrics(
    store: Stored,
    caller: Calling,
    since: AwareDatetime,
    until: AwareDatetime,
    now: AwareDatetime | None = None,
) -> Metrics:
    """FRT, open counts, resolution and CSAT for `since <= t < until`, as at `now`;
    "mine" is whom the request acts as."""
    if until < since:
        raise Problem(422, "Empty window", "`until` comes before `since`; swap them.")
    return await store.metrics(Window(since, until), viewer_id=caller.actor_id, now=now)


@router.get("/metrics/hourly", tags=["metrics"])
async def new_tickets_per_hour(
    store: Stored, agent: Signed, since: AwareDatetime, until: AwareDatetime
) -> list[int]:
    """Tickets opened in each hour from `since` to `until`."""
    if (until - since).days > 366:
        raise Problem(422, "Window too long", "Ask for at most a year of hours at a time.")
    return await store.new_tickets_per_hour(since, until)


@router.get("/sla", tags=["metrics"])
async def sla(store: Stored, agent: Signed) -> SlaPolicy:
    """The first-response and resolution targets the store keeps."""
    return store.sla


@router.post("/import", tags=["transfer"])
async def import_tickets(batch: ImportBatch, store: Stored, admin: Admin, caller: Calling) -> ImportReport:
    """Tickets in the import format, each with its line number in the caller's file:
    a ref the store has is skipped, a bad record is reported by line and the rest import;
    `warnings` names the lines taken in with something moved or left out, and those
    left out as repeats of an earlier line (`repeated` counts them)."""
    records: list[tuple[int, TicketRecord]] = []
    problems: list[ImportProblem] = []
    warnings: list[ImportProblem] = []
    for item in batch.records:
        notes: list[str] = []
        try:
            records.append((item.line, from_json(item.record, notes)))
        except RecordError as error:
            problems.append(ImportProblem(item.line, str(error)))
        warnings.extend(ImportProblem(item.line, note) for note in notes)
    report = await store.import_tickets(records, actor_id=caller.actor_id)
    report.problems = sorted([*report.problems, *problems], key=lambda problem: problem.line)
    report.warnings = sorted([*report.warnings, *warnings], key=lambda warning: warning.line)
    return report


@router.get(
    "/export",
    tags=["transfer"],
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}, "description": "one ticket a line"}},
)
async def export_tickets(store: Stored, admin: Admin) -> StreamingResponse:
    """Every ticket with its messages, one JSON line each, in the import format."""

    async def lines() -> AsyncIterator[bytes]:
        async for record in store.export_tickets():
            yield (record.to_line() + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")
