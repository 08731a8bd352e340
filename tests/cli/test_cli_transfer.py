"""`cs-tui import/export` and `cs-tui canned import/export`."""

from __future__ import annotations

import json
from pathlib import Path

from .cli_runner import CsTui


def line(ref: str, **fields: object) -> str:
    ticket: dict[str, object] = {
        "ref": ref,
        "subject": f"Subject {ref}",
        "status": "solved",
        "priority": "normal",
        "channel": "email",
        "customer": {"name": "Dewi Lestari", "email": "dewi@example.com"},
        "assignee": "rudi@tokoku.example",
        "tags": ["refund"],
        "created_at": "2026-11-03T09:15:00Z",
        "messages": [
            {
                "author": "customer",
                "body": "Refund saya belum masuk",
                "internal": False,
                "created_at": "2026-11-03T09:15:00Z",
            },
            {
                "author": "agent:rudi@tokoku.example",
                "body": "Sudah kami proses",
                "internal": False,
                "auto": False,
                "created_at": "2026-11-03T10:15:00Z",
            },
        ],
    }
    ticket.update(fields)
    return json.dumps(ticket)


def test_bad_lines_are_reported_by_number_and_the_rest_import(cs_tui: CsTui, tmp_path: Path) -> None:
    source = tmp_path / "tickets.jsonl"
    source.write_text(
        "\n".join(
            [
                line("a-1"),
                line("a-2", status="opne"),
                "{not json",
                line("a-4"),
                "",
                line("a-6", customer={"name": "X", "email": "not-an-email"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    first = cs_tui("import", str(source))
    assert first.code == 1
    assert f"{source}:2: \"status\" is 'opne'" in first.err
    assert f"{source}:3: not valid JSON" in first.err
    assert f'{source}:6: "customer.email" is not an email address' in first.err
    assert "imported 2 tickets" in first.err
    assert [t["ref"] for t in cs_tui("ticket", "list", "-q", "", "--json").json()] == ["a-4", "a-1"]

    again = cs_tui("import", str(source))
    assert "imported 0 tickets, skipped 2 already in the store" in again.err
    assert len(cs_tui("ticket", "list", "-q", "", "--json").json()) == 2


def test_export_then_import_into_an_empty_store_gives_the_same_tickets_and_numbers(
    cs_tui: CsTui, tmp_path: Path
) -> None:
    assert cs_tui("demo", "--no-open", "--tickets", "40").code == 0
    exported = cs_tui("export").out.splitlines()
    assert len(exported) == 40
    # Last first: the numbers come back from the file, not from the order of its lines.
    (tmp_path / "all.jsonl").write_text("\n".join(reversed(exported)) + "\n", encoding="utf-8")

    other = CsTui(tmp_path / "other.db", tmp_path / "home")
    done = other("import", str(tmp_path / "all.jsonl"))
    assert done.code == 0, done.err
    target = tmp_path / "again.jsonl"
    assert other("export", str(target)).code == 0
    assert target.read_text(encoding="utf-8").splitlines() == exported
    assert "warning" not in done.err


def test_canned_import_reports_unknown_placeholders_and_keeps_the_rest(cs_tui: CsTui, tmp_path: Path) -> None:
    source = tmp_path / "canned.yaml"
    source.write_text(
        """\
- title: Halo
  shortcut: halo
  language: id
  body: |
    Halo, {{customer.first_name}}! Terima kasih sudah menghubungi Tokoku.
- title: Broken
  body: Hi {{customer.nickname}}
- title: Refund approved
  body: Hi {{customer.first_name}}, your refund is on its way. {{agent.first_name}}
  actions: {status: solved, add_tags: [refund]}
""",
        encoding="utf-8",
    )
    done = cs_tui("canned", "import", str(source))
    assert done.code == 1
    assert "entry 2" in done.err
    assert "unknown placeholder {{customer.nickname}}" in done.err
    listed = cs_tui("canned", "list", "--json").json()
    assert sorted(c["title"] for c in listed) == ["Halo", "Refund approved"]
    refund = next(c for c in listed if c["title"] == "Refund approved")
    assert refund["actions"] == {"status": "solved", "add_tags": ["refund"]}

    exported = tmp_path / "out.yaml"
    assert cs_tui("canned", "export", str(exported)).code == 0
    text = exported.read_text(encoding="utf-8")
    assert "Halo, {{customer.first_name}}! Terima kasih" in text
    other = CsTui(tmp_path / "other.db", tmp_path / "home")
    assert other("canned", "import", str(exported)).code == 0
    assert [c["body"] for c in other("canned", "list", "--json").json()] == [c["body"] for c in listed]
    as_json = cs_tui("canned", "export", "--format", "json").out
    assert {c["title"] for c in json.loads(as_json)} == {"Halo", "Refund approved"}


def test_metrics_json_follows_the_definitions(cs_tui: CsTui, tmp_path: Path) -> None:
    source = tmp_path / "t.jsonl"
    answered = line(
        "m-1",
        status="open",
        created_at="2026-11-03T09:00:00Z",
        messages=[
            {"author": "customer", "body": "tolong", "created_at": "2026-11-03T09:00:00Z"},
            {
                "author": "agent:rudi@tokoku.example",
                "body": "auto ack",
                "auto": True,
                "created_at": "2026-11-03T09:00:05Z",
            },
            {
                "author": "agent:rudi@tokoku.example",
                "body": "note",
                "internal": True,
                "created_at": "2026-11-03T09:10:00Z",
            },
            {"author": "agent:rudi@tokoku.example", "body": "Halo!", "created_at": "2026-11-03T09:30:00Z"},
        ],
    )
    waiting = line(
        "m-2",
        status="new",
        assignee=None,
        created_at="2026-11-03T11:00:00Z",
        messages=[
            {"author": "customer", "body": "halo?", "created_at": "2026-11-03T11:00:00Z"},
        ],
    )
    source.write_text(answered + "\n" + waiting + "\n", encoding="utf-8")
    assert cs_tui("import", str(source)).code == 0
    figures = cs_tui(
        "metrics", "--since", "2026-11-03T00:00:00Z", "--until", "2026-11-04T00:00:00Z", "--json"
    ).json()
    assert figures["window"] == {"since": "2026-11-03T00:00:00Z", "until": "2026-11-04T00:00:00Z"}
    assert figures["frt"]["median_s"] == 1800
    assert figures["frt"]["responded"] == 1
    assert figures["frt"]["awaiting"] == 1
    assert figures["open"]["new"] == 1
    assert figures["open"]["open"] == 1
    assert figures["open"]["unassigned"] == 1
    assert figures["open"]["breaching"] == 2  # both are weeks past their targets
    human = cs_tui("metrics", "--since", "2026-11-03", "--until", "2026-11-04")
    assert "median 30m" in human.out

    assert cs_tui("metrics", "--since", "yesterday").code == 2
    assert cs_tui("metrics", "--since", "2026-11-04", "--until", "2026-11-03").code == 2


def test_metrics_since_a_bare_date_is_local_midnight(cs_tui: CsTui) -> None:
    jakarta = cs_tui("metrics", "--since", "2026-12-01", "--until", "2026-12-02", "--json", TZ="Asia/Jakarta")
    assert jakarta.json()["window"] == {"since": "2026-11-30T17:00:00Z", "until": "2026-12-01T17:00:00Z"}
    new_york = cs_tui("metrics", "--since", "2026-12-01T08:00", "--json", TZ="America/New_York")
    assert new_york.json()["window"]["since"] == "2026-12-01T13:00:00Z"
    explicit = cs_tui("metrics", "--since", "2026-12-01T00:00:00Z", "--json", TZ="Asia/Jakarta")
    assert explicit.json()["window"]["since"] == "2026-12-01T00:00:00Z"


def test_demo_fills_once_and_is_deterministic(cs_tui: CsTui, tmp_path: Path) -> None:
    first = cs_tui("demo", "--tickets", "30", "--seed", "7")
    assert first.code == 0, first.err
    assert "of" in first.out  # the queue is shown
    listed = cs_tui("ticket", "list", "-q", "", "--limit", "100", "--json").json()
    assert len(listed) == 30
    again = cs_tui("demo", "--no-open", "--tickets", "30")
    assert "already has 30 tickets" in again.err
    assert len(cs_tui("ticket", "list", "-q", "", "--limit", "100", "--json").json()) == 30
    canned = cs_tui("canned", "list", "--json").json()
    assert len(canned) >= 20
    # Used as a shop's team would have: the picker, most used first, starts with the greeting.
    assert max(canned, key=lambda c: c["usage_count"])["shortcut"] == "halo"

    other = CsTui(tmp_path / "other.db", tmp_path / "home")
    assert other("demo", "--no-open", "--tickets", "30", "--seed", "7").code == 0
    subjects = sorted(t["subject"] for t in listed)
    assert (
        sorted(t["subject"] for t in other("ticket", "list", "-q", "", "--limit", "100", "--json").json())
        == subjects
    )
