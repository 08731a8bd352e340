"""New tickets in the agent's views, told beyond the screen: their count in the
terminal's title until the agent is back at cs-tui, and a desktop notification (OSC 9
or OSC 777) when the config asks for one; customer text in them cannot act on the
terminal."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from textual import events

from cs_tui.config import Config, View, load_config
from cs_tui.demo import generate_tickets
from cs_tui.domain.models import NewTicket, Priority, Status
from cs_tui.domain.query import Sort
from cs_tui.store.base import Store
from cs_tui.tui.notices import TITLE
from cs_tui.tui.terminal import POP_TITLE, PUSH_TITLE, SEQUENCE_CHARS, in_a_sequence

from .helpers import NOW, AppFactory, notices, settled, until
from .terminal_output import TerminalOutput, listen

HOSTILE_SUBJECT = "Paket\x1b]0;PWNED\x07 hilang\x07\x1b]52;c;aGVsbG8=\x07; \x9d2;x\x9c\x1b[2J" + "lama " * 80
"""A subject that would retitle the terminal, fill its clipboard and clear its screen."""


def config(tmp_path: Path, **settings: object) -> Config:
    return Config(undo_seconds=0, path=tmp_path / "config" / "config.toml", **settings)  # type: ignore[arg-type]


def sequences(terminal: TerminalOutput, introducer: str) -> list[str]:
    """Each sequence written that starts with `introducer`, up to its BEL."""
    found = []
    for piece in terminal.text.split(introducer)[1:]:
        found.append(introducer + piece.split("\x07", 1)[0] + "\x07")
    return found


@pytest.fixture(autouse=True)
def _outside_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TMUX", raising=False)


async def test_a_new_ticket_in_my_views_is_counted_in_the_title_until_a_key(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        assert terminal.titles() == []  # the terminal's own title, untouched
        new = NewTicket("Paket belum sampai", "rina@example.com", "Halo", customer_name="Rina")
        await other_store.create_ticket(new, actor_id=None)
        await until(pilot, lambda: terminal.titles() == [f"(1) {TITLE}"])
        assert terminal.text.index(PUSH_TITLE) < terminal.text.index("\x1b]2;")  # kept, to give back
        await other_store.create_ticket(NewTicket("Salah ukuran", "rina@example.com", "Halo"), actor_id=None)
        await until(pilot, lambda: terminal.titles()[-1] == f"(2) {TITLE}")
        assert terminal.text.count(PUSH_TITLE) == 1
        await pilot.press("j")  # the agent is back
        assert terminal.titles()[-1] == TITLE
        assert terminal.text.rindex(POP_TITLE) > terminal.text.rindex("\x1b]2;")  # its own title back
        # Not asked for: no desktop notification.
        assert "\x1b]9;" not in terminal.text
        assert "\x1b]777;" not in terminal.text


async def test_the_terminal_saying_it_has_the_focus_again_counts_as_back(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await other_store.create_ticket(NewTicket("Refund", "rina@example.com", "Halo"), actor_id=None)
        await until(pilot, lambda: terminal.titles() == [f"(1) {TITLE}"])
        app.post_message(events.AppFocus())
        await until(pilot, lambda: terminal.titles()[-1] == TITLE)
        assert POP_TITLE in terminal.text


async def test_quitting_gives_the_terminal_its_title_back(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = listen(monkeypatch)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        await other_store.create_ticket(NewTicket("Refund", "rina@example.com", "Halo"), actor_id=None)
        await until(pilot, lambda: terminal.titles() == [f"(1) {TITLE}"])
    assert terminal.titles()[-1] == TITLE
    assert terminal.text.rindex(POP_TITLE) > terminal.text.rindex("\x1b]2;")


async def test_only_tickets_in_my_views_are_counted(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    terminal = listen(monkeypatch)
    views = (View("1", "Urgent", "priority:urgent", Sort.SLA),)
    app = make_app(config(tmp_path, views=views, desktop_notifications="osc9"))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        await other_store.create_ticket(NewTicket("Tanya ukuran", "rina@example.com", "Halo"), actor_id=None)
        urgent = NewTicket("Uang belum kembali", "budi@example.com", "Tolong", priority=Priority.URGENT)
        made = await other_store.create_ticket(urgent, actor_id=None)
        await until(pilot, lambda: terminal.titles())
        await settled(pilot)
        assert terminal.titles() == [f"(1) {TITLE}"]
        [notification] = sequences(terminal, "\x1b]9;")
        assert f"#{made.id} Uang belum kembali (in Urgent)" in notification
        assert "Tanya ukuran" not in terminal.text


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("osc9", "\x1b]9;cs-tui: New ticket · #{id} {subject} (in Unassigned, All open)\x07"),
        ("osc777", "\x1b]777;notify;cs-tui: New ticket;#{id} {subject} (in Unassigned, All open)\x07"),
    ],
)
async def test_a_desktop_notification_as_the_config_asks(
    make_app: AppFactory,
    other_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    kind: str,
    expected: str,
) -> None:
    terminal = listen(monkeypatch)
    app = make_app(config(tmp_path, desktop_notifications=kind))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settled(pilot)
        new = NewTicket("Paket belum sampai", "rina@example.com", "Halo", customer_name="Rina")
        made = await other_store.create_ticket(new, actor_id=None)
        await until(pilot, lambda: terminal.titles())
        assert expected.format(id=made.id, subject="Paket belum sampai") in terminal.text
        said = f"#{made.id} Paket belum sampai"
        await until(pilot, lambda: any(said in notice for notice in notices(app)))  # and on the screen


async def test_inside_tmux_the_notification_passes_through_it(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1234,0")
    terminal = listen(monkeypatch)
    app = make_app(config(tmp_path, desktop_notifications="osc9", title_count=False))
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        made = await other_store.create_ticket(NewTicket("Refund", "rina@example.com", "Halo"), actor_id=None)
        # tmux's passthrough: DCS tmux; the sequence with its ESC doubled, ST.
        wrapped = f"\x1bPtmux;\x1b\x1b]9;cs-tui: New ticket · #{made.id} Refund (in Unassigned, All open)\x07"
        wrapped += "\x1b\\"
        await until(pilot, lambda: wrapped in terminal.text)
        assert terminal.titles() == []  # title_count = false


async def test_a_burst_of_new_tickets_is_one_notification(
    make_app: AppFactory, other_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    terminal = listen(monkeypatch)
    app = make_app(config(tmp_path, desktop_notifications="osc777"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        records = [
            replace(record, ref=f"burst-{number}", status=Status.NEW, assignee_email=None)
            for number, record in enumerate(generate_tickets(3, seed=99, now=NOW))
        ]
        await other_store.import_tickets(enumerate(records, start=9001))
        await until(pilot, lambda: terminal.titles())
        await settled(pilot)
        [notification] = sequences(terminal, "\x1b]777;")
        assert notification.startswith("\x1b]777;notify;cs-tui: 3 new tickets;in your views: #")
        assert terminal.titles() == [f"(3) {TITLE}"]


@pytest.fixture
def hostile_subjects(store_path: Path) -> None:
    """Every ticket made from now on gets a subject with escape sequences, as a store
    written by something other than cs-tui may hold (its own intake cleans them)."""
    literal = HOSTILE_SUBJECT.replace("'", "''")
    db = sqlite3.connect(store_path)
    try:
        db.execute(
            "CREATE TRIGGER test_hostile_subject AFTER INSERT ON tickets BEGIN "
            f"UPDATE tickets SET subject = '{literal}' WHERE id = new.id; END"
        )
        db.commit()
    finally:
        db.close()


@pytest.mark.usefixtures("hostile_subjects")
@pytest.mark.parametrize("kind", ["osc9", "osc777"])
async def test_a_subject_with_escape_sequences_cannot_act_on_the_terminal(
    make_app: AppFactory,
    store: Store,
    other_store: Store,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    kind: str,
) -> None:
    terminal = listen(monkeypatch)
    app = make_app(config(tmp_path, desktop_notifications=kind))
    async with app.run_test(size=(100, 30)) as pilot:
        await settled(pilot)
        made = await other_store.create_ticket(NewTicket("Biasa", "rina@example.com", "Halo"), actor_id=None)
        assert (await store.get_ticket(made.id)).subject == HOSTILE_SUBJECT
        await until(pilot, lambda: terminal.titles())
        await settled(pilot)
    introducer = "\x1b]9;" if kind == "osc9" else "\x1b]777;"
    [notification] = sequences(terminal, introducer)
    inside = notification[len(introducer) : -1]
    assert not [char for char in inside if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0]
    assert "PWNED" not in inside
    assert f"#{made.id} Paket hilang" in inside
    assert len(inside) <= SEQUENCE_CHARS + len("notify;cs-tui: New ticket;")
    if kind == "osc777":
        assert inside.count(";") == 2  # notify ; title ; body: the subject's own ; cannot add a field
    # Nothing else the subject held reached the terminal: no other title, no clipboard.
    assert set(terminal.titles()) <= {f"(1) {TITLE}", TITLE}
    assert "\x1b]52;" not in terminal.text
    assert "\x1b]0;" not in terminal.text


def test_the_config_file_names_the_desktop_notifications_and_the_title_count(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('desktop_notifications = "osc777"\ntitle_count = false\n', encoding="utf-8")
    loaded = load_config(path)
    assert (loaded.desktop_notifications, loaded.title_count, loaded.problems) == ("osc777", False, ())
    assert (Config().desktop_notifications, Config().title_count) == ("off", True)
    path.write_text('desktop_notifications = "growl"\ntitle_count = "yes"\n', encoding="utf-8")
    loaded = load_config(path)
    assert (loaded.desktop_notifications, loaded.title_count) == ("off", True)
    said = "\n".join(loaded.problems)
    assert 'desktop_notifications = \'growl\' is not one of "off", "osc9", "osc777"' in said
    assert "title_count" in said


def test_text_inside_a_sequence_is_one_clean_short_line() -> None:
    text = in_a_sequence("a\x1b]0;x\x07b\x07c\x9cd\x1b\\e;f\nG\x9b2J" + "z" * 500)
    assert text.startswith("abcde,f Gzzz")  # the escapes gone, and the ; that parts fields
    assert len(text) == SEQUENCE_CHARS
    assert text.endswith("…")
    assert not [char for char in text if ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0]
