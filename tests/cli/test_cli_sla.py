"""`cs-tui metrics --json` and `ticket list --query breaching:yes` count as breaching
only the tickets waiting on the team, as the sidebar does."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cs_tui.domain.metrics import today
from cs_tui.domain.timeutil import to_iso
from cs_tui.store import open_store

from .cli_runner import CsTui


def waiting_line(ref: str, status: str, created_at: datetime) -> str:
    """A ticket answered an hour after it came in, weeks past its targets by now."""
    return json.dumps(
        {
            "ref": ref,
            "subject": f"Subject {ref}",
            "status": status,
            "priority": "urgent",
            "channel": "email",
            "customer": {"name": "Dewi Lestari", "email": f"{ref}@example.com"},
            "assignee": "rudi@tokoku.example",
            "tags": [],
            "created_at": to_iso(created_at),
            "messages": [
                {"author": "customer", "body": "Tolong dicek", "created_at": to_iso(created_at)},
                {
                    "author": "agent:rudi@tokoku.example",
                    "body": "Boleh kirim nomor pesanan?",
                    "created_at": to_iso(created_at + timedelta(hours=1)),
                },
            ],
        }
    )


async def test_metrics_and_the_sidebar_count_only_tickets_waiting_on_us_as_breaching(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
    source = tmp_path / "t.jsonl"
    source.write_text(
        "\n".join(
            waiting_line(ref, status, created)
            for ref, status in [
                ("late", "open"),
                ("asked", "pending"),
                ("held", "on_hold"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    assert cs_tui("import", str(source)).code == 0

    figures = cs_tui("metrics", "--json").json()
    assert (figures["open"]["open"], figures["open"]["pending"], figures["open"]["on_hold"]) == (1, 1, 1)
    assert figures["open"]["breaching"] == 1
    listed = cs_tui("ticket", "list", "--query", "breaching:yes", "--json").json()
    assert [t["ref"] for t in listed] == ["late"]

    store = await open_store(str(cs_tui.store))
    try:
        now = datetime.now(UTC)
        sidebar = await store.metrics(today(now), now=now)
    finally:
        await store.close()
    assert figures["open"] == asdict(sidebar.open)


def test_the_ticket_list_says_paused_for_a_ticket_that_waits_on_the_customer(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    created = datetime.now(UTC) - timedelta(days=20)
    lines = [waiting_line("w1", "pending", created), waiting_line("w2", "open", created)]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    assert cs_tui("import", str(tmp_path / "in.jsonl")).code == 0
    listed = cs_tui("ticket", "list", COLUMNS="160").out
    [pending] = [line for line in listed.splitlines() if "Subject w1" in line]
    [late] = [line for line in listed.splitlines() if "Subject w2" in line]
    assert pending.rstrip().endswith("paused")
    assert "late" in late
