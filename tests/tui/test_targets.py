"""Every action lands on the ticket the agent sees, and typed text stays text: a
canned response fills in the customer of the highlighted ticket, keys typed in a
burst after `r` go into the composer even over a slow store, a reply goes to the
ticket it was written for (sent before that ticket has loaded, or in play mode as
the next one opens), and taking a colleague's ticket asks first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from cs_tui.config import Config
from cs_tui.domain.models import (
    AuthorKind,
    Draft,
    DraftKind,
    NewMessage,
    Role,
    Status,
    Ticket,
    TicketChanges,
)
from cs_tui.store.base import Store
from cs_tui.tui.screens.canned import CannedPicker
from cs_tui.tui.screens.pickers import AskScreen, ChoiceScreen
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, settled, shown, until


async def test_at_80_columns_a_canned_response_is_for_the_highlighted_ticket_not_the_last_open(
    make_app: AppFactory,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first, second = (
            queue.rows[0],
            next(t for t in queue.rows[1:] if t.customer.id != queue.rows[0].customer.id),
        )
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("escape")
        queue.cursor_row = queue.rows.index(second)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CannedPicker))
        await settled(pilot)
        picker = app.screen
        assert isinstance(picker, CannedPicker)
        assert picker.ticket.id == second.id  # the one highlighted, not #first that was open
        await pilot.press("enter")
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: composer.is_open and composer.ticket_id == second.id)
        opened = main_screen(app).ticket_pane.ticket
        assert opened is not None
        assert opened.id == second.id
        assert first.id != second.id


def slowed(store: Store, seconds: float, ticket_id: int | None = None) -> None:
    """The store answers reads of a ticket's messages late (of `ticket_id`'s alone, if
    given), as over a slow link."""
    real = store.get_messages

    async def late(of: int, *args: Any, **kwargs: Any) -> Any:
        if ticket_id is None or of == ticket_id:
            await asyncio.sleep(seconds)
        return await real(of, *args, **kwargs)

    store.get_messages = late  # type: ignore[method-assign,assignment]


async def test_keys_typed_in_a_burst_after_r_are_text_not_commands(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        target = next(
            t for t in queue.rows[1:] if t.assignee is None or t.assignee.id != app.services.agent.id
        )
        queue.cursor_row = queue.rows.index(target)
        slowed(store, 0.8)
        await pilot.press("r", *"a mt sudah kami cek")  # `a` takes, `m` metrics, `t` tags: as commands
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: main_screen(app).ticket_pane.ticket is not None)
        await settled(pilot)
        assert composer.text == "a mt sudah kami cek"
        assert composer.ticket_id == target.id
        assert not isinstance(app.screen, AskScreen)  # no tags picker, nothing else opened
        after = await store.get_ticket(target.id)
        assert after.assignee == target.assignee  # nobody's ticket was taken


async def test_a_burst_after_r_goes_after_the_draft_and_the_draft_is_kept(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        target = queue.rows[2]
        me = app.services.agent
        await store.save_draft(Draft(me.id, target.id, "Halo Kak, ", DraftKind.REPLY))
        queue.cursor_row = 2
        slowed(store, 0.8)
        await pilot.press("r", *"paketnya")
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: composer.text == "Halo Kak, paketnya")
        await until(pilot, lambda: draft_is(store, me.id, target.id, "Halo Kak, paketnya"))


async def all_open(pilot: Pilot[Any]) -> QueueTable:
    """View 3, All open, once its tickets show."""
    await settled(pilot)
    await pilot.press("3")
    await settled(pilot)
    return pilot.app.screen.query_one(QueueTable)


async def write_reply(pilot: Pilot[Any], text: str) -> None:
    """`r` on the highlighted ticket, once it shows, then `text` typed."""
    await pilot.press("r")
    await settled(pilot)
    await pilot.press(*text)
    composer = main_screen(pilot.app).ticket_pane.composer
    await until(pilot, lambda: composer.text == text)


async def second_highlighted_first_open(pilot: Pilot[Any]) -> tuple[Ticket, Ticket]:
    """In All open, the first ticket opened and left for the queue, the second one
    highlighted: (first, second)."""
    queue = await all_open(pilot)
    first, second = queue.rows[0], queue.rows[1]
    await pilot.press("enter")
    await settled(pilot)
    await pilot.press("escape")
    queue.cursor_row = 1
    return first, second


async def test_a_reply_sent_before_its_ticket_has_loaded_goes_to_that_ticket_not_the_one_open_before(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        was_open, target = await second_highlighted_first_open(pilot)
        before = (await store.get_messages(was_open.id)).messages
        slowed(store, 1.5)
        await pilot.press("r", *"Siap", "ctrl+s")
        await until(pilot, lambda: last_body_is(store, target.id, "Siap"), seconds=15)
        assert (await store.get_messages(was_open.id)).messages == before


async def test_a_canned_reply_sent_and_next_at_once_goes_to_its_ticket_with_its_status(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        was_open, target = await second_highlighted_first_open(pilot)
        slowed(store, 0.8)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CannedPicker))
        await settled(pilot)
        await pilot.press("enter", "ctrl+n")  # at once, the ticket still loading
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("p")
        await until(pilot, lambda: status_is(store, target.id, Status.PENDING), seconds=15)
        [*_, sent] = (await store.get_messages(target.id)).messages
        assert sent.author_kind is AuthorKind.AGENT
        assert target.customer.name.split()[0] in sent.body  # filled in for this ticket's customer
        assert (await store.get_ticket(was_open.id)).version == was_open.version
        assert not any("Write a reply first" in n for n in notices(app))


async def test_send_and_next_asks_nothing_when_the_next_ticket_shows_before_the_send_looks(
    make_app: AppFactory, store: Store
) -> None:
    """What the agent saw of the sent ticket is its baseline, not what the pane shows
    by the time the send compares (the next ticket, in play mode)."""
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        queue = await all_open(pilot)
        sent_from, following = queue.rows[0], queue.rows[1]
        # Its newest message is newer than any of the next ticket's.
        await store.add_message(
            sent_from.id, NewMessage("cust-1", "Halo, ada kabar?", AuthorKind.CUSTOMER), actor_id=None
        )
        await write_reply(pilot, "Sudah dikirim, Kak.")
        pane = main_screen(app).ticket_pane
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        slowed(store, 0.8, sent_from.id)  # the send's look at it comes after the next has loaded
        await pilot.press("p")
        await until(pilot, lambda: status_is(store, sent_from.id, Status.PENDING), seconds=15)
        assert pane.ticket is not None
        assert pane.ticket.id == following.id
        assert not isinstance(app.screen, AskScreen)


async def test_a_customer_who_wrote_while_a_play_mode_reply_went_is_shown_and_edit_goes_back_to_them(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        sent_from = (await all_open(pilot)).rows[0]
        await write_reply(pilot, "Sudah dikirim, Kak.")
        pane = main_screen(app).ticket_pane
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        new = NewMessage("cust-2", "Eh, alamatnya salah!", AuthorKind.CUSTOMER)
        await other_store.add_message(sent_from.id, new, actor_id=None)
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        asked = app.screen
        assert isinstance(asked, AskScreen)
        assert asked.title_text.startswith(f"#{sent_from.id}: ")  # the pane is on the next ticket
        assert "Eh, alamatnya salah!" in asked.body.plain
        await pilot.press("escape")  # Edit
        await until(pilot, lambda: pane.shows(sent_from.id) and pane.composer.is_open)
        await settled(pilot)
        assert pane.composer.text == "Sudah dikirim, Kak."
        assert "pending" in str(pane.composer.query_one("#composer-hint").render())  # still set on sending
        after = await store.get_ticket(sent_from.id)
        assert after.status is sent_from.status
        assert (await store.get_messages(sent_from.id)).messages[-1].body == "Eh, alamatnya salah!"


async def last_body_is(store: Store, ticket_id: int, body: str) -> bool:
    return (await store.get_messages(ticket_id)).messages[-1].body == body


async def status_is(store: Store, ticket_id: int, status: Status) -> bool:
    return (await store.get_ticket(ticket_id)).status is status


async def draft_is(store: Store, agent_id: int, ticket_id: int, body: str) -> bool:
    draft = await store.get_draft(agent_id, ticket_id)
    return draft is not None and draft.body == body


async def test_taking_a_colleagues_ticket_asks_first_and_names_are_written_as_they_are(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    colleague = next(
        a for a in await store.list_agents() if a.id != app.services.agent.id and a.role is Role.AGENT
    )
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        target = queue.rows[0]
        await store.update_ticket(
            target.id, TicketChanges(assignee_id=colleague.id), expected_version=target.version, actor_id=None
        )
        await until(
            pilot, lambda: queue.rows[0].assignee is not None and queue.rows[0].assignee.id == colleague.id
        )
        queue.cursor_row = 0
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        assert colleague.name in shown(app.screen.query_one(".dialog-title"))
        await pilot.press("escape")  # left to them
        await settled(pilot)
        ticket = await store.get_ticket(target.id)
        assert ticket.assignee is not None
        assert ticket.assignee.id == colleague.id
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press("enter")  # Take
        me = app.services.agent
        await until(pilot, lambda: any(f"Assigned to {me.name}" in n for n in notices(app)))
        ticket = await store.get_ticket(target.id)
        assert ticket.assignee is not None
        assert ticket.assignee.id == me.id


async def test_r_never_turns_an_internal_note_into_a_reply(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    me = app.services.agent
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        target = app.screen.query_one(QueueTable).rows[0]
        await store.save_draft(Draft(me.id, target.id, "Cek stok dulu", DraftKind.NOTE))
        await pilot.press("enter")  # the note draft comes back, shown
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: composer.is_open and composer.text == "Cek stok dulu")
        await pilot.press("r")
        await until(pilot, lambda: any("stays an internal note" in n for n in notices(app)))
        assert composer.kind is DraftKind.NOTE
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not composer.is_open)
        await settled(pilot)
        [*_, sent] = (await store.get_messages(target.id)).messages
        assert sent.body == "Cek stok dulu"
        assert sent.internal  # never to the customer


async def test_the_next_ticket_in_play_mode_is_answered_while_the_last_reply_waits_out_its_undo_window(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    app = make_app(Config(undo_seconds=3, path=tmp_path / "config" / "config.toml"))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        queue = await all_open(pilot)
        first, second = queue.rows[0], queue.rows[1]
        pane = main_screen(app).ticket_pane
        await write_reply(pilot, "Sudah kami proses.")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("p")
        await until(pilot, lambda: pane.shows(second.id))
        await write_reply(pilot, "Paketnya sudah dikirim.")  # within the first reply's 3 s
        await pilot.press("ctrl+s")
        await until(pilot, lambda: last_body_is(store, first.id, "Sudah kami proses."), seconds=15)
        await until(pilot, lambda: last_body_is(store, second.id, "Paketnya sudah dikirim."), seconds=15)
