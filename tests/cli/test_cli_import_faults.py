"""`cs-tui import` of a file with every kind of bad line, into a file and through
`cs-tui serve` alike: each bad line is said with its number, every good line goes in,
and the summary counts both; `cs-tui metrics` over what went in is never negative."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cs_tui.domain import limits
from tests.contract.served import ServedStore

from .cli_runner import CsTui
from .test_cli_transfer import line

LINES = 1_200
"""More than one batch of the store's, and of a request to `cs-tui serve`."""


@pytest.fixture(params=["sqlite", "http"])
def through(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CsTui]:
    """`cs-tui` on a store file, or on `cs-tui serve` with an admin's token."""
    place = tmp_path / "served"
    place.mkdir()
    runner = CsTui(place / "cs-tui.db", tmp_path / "home")
    if request.param == "sqlite":
        yield runner
        return
    added = runner("agent", "add", "Ana", "--email", "ana@tokoku.example", "--role", "admin")
    assert added.code == 0, added.err
    served = ServedStore(place)
    runner.env |= {"CS_TUI_STORE": served.url, "CS_TUI_TOKEN": added.out.strip()}
    try:
        yield runner
    finally:
        served.stop()


def hostile_file(path: Path) -> dict[int, str]:
    """A file of LINES lines, most of them good; what each bad or mended one must say."""
    lines = [line(f"g-{n}").encode() for n in range(1, LINES + 1)]
    said: dict[int, str] = {}

    def put(number: int, text: bytes, says: str) -> None:
        lines[number - 1] = text
        said[number] = says

    lines[0] = b"\xef\xbb\xbf" + lines[0]  # a byte order mark, as some editors write
    put(
        3,
        line("far", created_at="9999-12-31T23:59:59Z").encode(),
        'warning: "created_at" 9999-12-31T23:59:59Z',
    )
    put(40, b"[" * 1000 + b"]" * 1000, "the nesting is 1,000 levels; the limit is 32")
    put(41, line("latin").encode().replace(b"Refund", b"R\xe9fund"), "not UTF-8 text: byte 0xe9")
    put(42, b'{"ref": ' + b"9" * 5000 + b"}", "not valid JSON")
    put(600, line("g-1").encode(), "warning: \"ref\" 'g-1' repeats line 1 of this file")
    put(601, line("typo", stauts="open").encode(), 'warning: "stauts" is not a field')
    backwards = json.loads(line("backwards"))
    backwards["messages"][1]["created_at"] = "2026-11-02T10:15:00Z"
    put(
        700,
        json.dumps(backwards).encode(),
        'warning: "messages[1].created_at" 2026-11-02T10:15:00Z is before',
    )
    put(
        701,
        line("solved-early", solved_at="2026-11-01T00:00:00Z").encode(),
        'warning: "solved_at" 2026-11-01T00:00:00Z is before the ticket was created',
    )
    put(702, line("broken", subject="Paket \ud83d rusak").encode(), "warning: a broken character")
    path.write_bytes(b"\n".join(lines) + b"\n")
    return said


def test_every_bad_line_is_reported_by_number_and_every_good_line_imports(
    through: CsTui, tmp_path: Path
) -> None:
    source = tmp_path / "tickets.jsonl"
    said = hostile_file(source)

    done = through("import", str(source))

    assert done.code == 1
    for number, says in said.items():
        assert f"{source}:{number}: {says}" in done.err, (number, done.err)
    imported = LINES - 3 - 1  # three refused, one repeat
    assert (
        f"imported {imported:,} tickets, skipped 0 already in the store, "
        "left out 1 repeating an earlier line, refused 3 lines (listed above); 6 warnings (listed above)"
    ) in done.err
    exported = [json.loads(text) for text in through("export").out.splitlines()]
    refs = {ticket["ref"] for ticket in exported}
    assert len(exported) == imported
    assert {"g-1", "g-2", f"g-{LINES}", "far", "typo", "backwards", "solved-early", "broken"} <= refs
    assert {"g-40", "g-41", "g-42", "latin"}.isdisjoint(refs)

    figures = through("metrics", "--since", "2026-10-01T00:00:00Z", "--json").json()
    assert figures["frt"]["responded"] == imported
    assert figures["frt"]["median_s"] == 3600
    assert min(figures["frt"]["mean_s"], figures["resolution"]["mean_s"]) > 0
    assert figures["resolution"]["solved"] == imported

    again = through("import", str(source))
    assert (
        f"imported 0 tickets, skipped {imported:,} already in the store, left out 1 repeating an earlier line"
    ) in again.err


def test_a_line_past_the_limit_is_one_bad_line(cs_tui: CsTui, tmp_path: Path) -> None:
    source = tmp_path / "big.jsonl"
    huge = line("huge", subject="x" * limits.IMPORT_LINE_BYTES)
    source.write_text(line("a") + "\n" + huge + "\n" + line("b") + "\n", encoding="utf-8")

    done = cs_tui("import", str(source))

    assert done.code == 1
    assert (
        f"{source}:2: the line is {len(huge):,} bytes; the limit is {limits.IMPORT_LINE_BYTES:,}" in done.err
    )
    assert "imported 2 tickets" in done.err


def test_a_warning_on_many_lines_is_shown_on_a_few_then_counted(cs_tui: CsTui, tmp_path: Path) -> None:
    source = tmp_path / "extra.jsonl"
    source.write_text(
        "".join(line(f"x-{n}", organization="Toko") + "\n" for n in range(1, 11)), encoding="utf-8"
    )

    done = cs_tui("import", str(source))

    assert done.code == 0
    assert [text.split(": ")[0] for text in done.err.splitlines()[:3]] == [f"{source}:{n}" for n in (1, 2, 3)]
    assert (
        f'{source}: warning: the same on 7 more lines: "organization" is not a field of the import format'
    ) in done.err
    assert "imported 10 tickets" in done.err
