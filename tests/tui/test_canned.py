"""Canned responses: the picker fills in the customer, applies the macro, and the
editor checks placeholders before it saves."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea

from cs_tui.config import Config
from cs_tui.domain.models import CannedActions, CannedResponse, NewTicket, Status
from cs_tui.domain.templates import render
from cs_tui.store.base import Store
from cs_tui.tui.screens.canned import CannedEditorScreen, CannedPicker, rank_canned
from cs_tui.tui.screens.pickers import AskScreen
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, paste, settled, shown, until


async def test_the_picker_inserts_a_greeting_with_the_customers_first_name(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        ticket = app.screen.query_one(QueueTable).rows[0]
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CannedPicker))
        await settled(pilot)
        await pilot.press(*"halo")
        first_name = ticket.customer.name.split()[0]
        preview = app.screen.query_one("#canned-preview")
        await until(pilot, lambda: f"Halo, {first_name}!" in shown(preview))
        await pilot.press("enter")
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: composer.is_open)
        await settled(pilot)
        assert composer.text.startswith(f"Halo, {first_name}!")
        halo = next(c for c in await store.list_canned() if c.shortcut == "halo")
        assert halo.usage_count == 1


async def test_a_macro_sets_status_and_tags_and_an_unfilled_placeholder_blocks_sending(
    make_app: AppFactory, store: Store
) -> None:
    await store.save_canned(
        CannedResponse(
            None,
            "Need the order number",
            "Hi {{customer.first_name}}, what is your order number?",
            shortcut="zzorder",
            actions=CannedActions(status=Status.PENDING, add_tags=("need-info",)),
        ),
        actor_id=None,
    )
    target = await store.create_ticket(
        NewTicket("Where is my order", "rina@example.com", "Halo"), actor_id=None
    )
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == target.id)
        await pilot.press("enter")
        await settled(pilot)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CannedPicker))
        await settled(pilot)
        await pilot.press(*"zzorder")
        preview = app.screen.query_one("#canned-preview")
        await until(pilot, lambda: "order number" in shown(preview))
        await pilot.press("enter")
        composer = main_screen(app).query_one(Composer)
        await until(pilot, lambda: composer.text == "Hi rina, what is your order number?")
        await settled(pilot)
        ticket = await store.get_ticket(target.id)
        assert ticket.status is Status.NEW  # what it does waits for the reply to go out
        assert "then status pending, tags need-info" in shown(composer.query_one("#composer-hint"))
        # A placeholder nobody could fill (here: rendered with no values at all) is
        # selected for the agent to type over, and sending waits until it is gone.
        composer.insert(" Your name: " + render("{{agent.first_name}}", {}).text)
        assert composer.area.selected_text == "{{agent.first_name}}"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("nothing was sent" in n for n in notices(app)))
        bodies = [m.body for m in (await store.get_messages(target.id)).messages]
        assert not any("order number" in b for b in bodies)
        assert "agent.first_name" in shown(composer.query_one("#composer-hint"))
        await pilot.press(*"Sari")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not composer.is_open)
        await settled(pilot)
        bodies = [m.body for m in (await store.get_messages(target.id)).messages]
        assert bodies[-1] == "Hi rina, what is your order number? Your name: Sari"
        ticket = await store.get_ticket(target.id)
        assert ticket.status is Status.PENDING
        assert "need-info" in ticket.tags


async def saved_as(store: Store, title: str) -> bool:
    return any(c.title == title for c in await store.list_canned())


async def not_saved(store: Store, title: str) -> bool:
    return not await saved_as(store, title)


def test_fuzzy_ranking_puts_the_best_match_first_and_the_most_used_among_equals() -> None:
    canned = [
        CannedResponse(1, "Refund approved", "Your refund is on its way", usage_count=1),
        CannedResponse(2, "Shipping delay", "Paket terlambat", shortcut="telat", usage_count=9),
        CannedResponse(3, "Refund rejected", "We cannot refund", usage_count=5),
    ]
    assert [c.id for c in rank_canned(canned, "")] == [2, 3, 1]
    assert rank_canned(canned, "telat")[0].id == 2
    ranked = [c.id for c in rank_canned(canned, "refund")]
    assert ranked[:2] in ([3, 1], [1, 3])
    assert 2 not in ranked


async def test_the_editor_refuses_an_unknown_placeholder_and_saves_a_good_one(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await app.push_screen(CannedEditorScreen())
        await settled(pilot)
        await pilot.press("ctrl+n")
        await paste(pilot, "Ongkir gratis")
        body = app.screen.query_one("#canned-body", TextArea)
        body.load_text("Halo {{customer.nickname}}, ongkirnya gratis!")
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#canned-error")
        await until(pilot, lambda: "customer.nickname" in shown(error))
        assert not any(c.title == "Ongkir gratis" for c in await store.list_canned())
        body.load_text("Halo {{customer.first_name}}, ongkirnya gratis!")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved_as(store, "Ongkir gratis"))
        saved = next(c for c in await store.list_canned() if c.title == "Ongkir gratis")
        assert saved.body == "Halo {{customer.first_name}}, ongkirnya gratis!"
        await pilot.press("ctrl+d")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press("enter")
        await until(pilot, lambda: not_saved(store, "Ongkir gratis"))


async def test_a_canned_responses_actions_go_with_the_reply_and_undo_takes_both_back(
    make_app: AppFactory, store: Store, tmp_path: Path
) -> None:
    await store.save_canned(
        CannedResponse(
            None, "Penutup singkat", "Terima kasih, {{customer.first_name}}!", shortcut="zztutup",
            actions=CannedActions(status=Status.SOLVED),
        ),
        actor_id=None,
    )  # fmt: skip
    target = await store.create_ticket(NewTicket("Sudah sampai", "rina@example.com", "Halo"), actor_id=None)
    app = make_app(Config(undo_seconds=2, path=tmp_path / "config" / "config.toml"))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == target.id)
        await pilot.press("enter")
        await settled(pilot)
        composer = main_screen(app).query_one(Composer)

        async def insert_penutup() -> None:
            await pilot.press("c")
            await until(pilot, lambda: isinstance(app.screen, CannedPicker))
            await pilot.press(*"zztutup")
            await until(pilot, lambda: "Terima kasih" in shown(app.screen.query_one("#canned-preview")))
            await pilot.press("enter")
            await until(pilot, lambda: composer.text == "Terima kasih, rina!")

        # Inserted, then deleted and left: nothing happened to the ticket.
        await insert_penutup()
        await pilot.press("end", "ctrl+u", "escape")  # deleted, and left
        assert composer.text == ""
        await settled(pilot)
        assert (await store.get_ticket(target.id)).status is Status.NEW

        # Sent, then undone: neither the reply nor the status.
        await insert_penutup()
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("goes out in" in n for n in notices(app)))
        await pilot.press("u")
        await until(pilot, lambda: composer.is_open and composer.text == "Terima kasih, rina!")
        await settled(pilot)
        assert (await store.get_ticket(target.id)).status is Status.NEW
        assert [m.body for m in (await store.get_messages(target.id)).messages] == ["Halo"]
        assert "then status solved" in shown(composer.query_one("#composer-hint"))

        # Sent for good: both.
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any("goes out in" in n for n in notices(app)))
        await until(pilot, lambda: store_status(store, target.id, Status.SOLVED))
        assert [m.body for m in (await store.get_messages(target.id)).messages][-1] == "Terima kasih, rina!"


async def store_status(store: Store, ticket_id: int, status: Status) -> bool:
    return (await store.get_ticket(ticket_id)).status is status
