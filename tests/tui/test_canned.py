"""Canned responses: the picker fills in the customer, applies the macro, and the
editor checks placeholders before it saves."""

from __future__ import annotations

from cs_tui.domain.models import CannedActions, CannedResponse, NewTicket, Status
from cs_tui.domain.templates import render
from cs_tui.store.base import Store
from cs_tui.tui.screens.canned import CannedEditorScreen, CannedPicker, rank_canned
from cs_tui.tui.widgets.composer import Composer
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, shown


async def test_the_picker_inserts_a_greeting_with_the_customers_first_name(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        ticket = app.screen.query_one(QueueTable).rows[0]
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CannedPicker)
        await pilot.press(*"halo")
        await pilot.pause()
        preview = shown(app.screen.query_one("#canned-preview"))
        first_name = ticket.customer.name.split()[0]
        assert f"Halo, {first_name}!" in preview
        await pilot.press("enter")
        await pilot.pause(0.3)
        composer = app.screen.query_one(Composer)
        assert composer.is_open
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
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await pilot.pause()
        queue = app.screen.query_one(QueueTable)
        queue.cursor_row = next(i for i, t in enumerate(queue.rows) if t.id == target.id)
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("c", *"zzorder", "enter")
        await pilot.pause(0.4)
        composer = app.screen.query_one(Composer)
        assert composer.text == "Hi rina, what is your order number?"
        ticket = await store.get_ticket(target.id)
        assert ticket.status is Status.PENDING
        assert "need-info" in ticket.tags
        # A placeholder nobody could fill (here: rendered with no values at all) is
        # selected for the agent to type over, and sending waits until it is gone.
        composer.insert(" Your name: " + render("{{agent.first_name}}", {}).text)
        assert composer.area.selected_text == "{{agent.first_name}}"
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        bodies = [m.body for m in (await store.get_messages(target.id)).messages]
        assert not any("order number" in b for b in bodies)
        assert "agent.first_name" in shown(composer.query_one("#composer-hint"))
        await pilot.press(*"Sari")
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        bodies = [m.body for m in (await store.get_messages(target.id)).messages]
        assert bodies[-1] == "Hi rina, what is your order number? Your name: Sari"


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
    async with app.run_test(size=(160, 48)) as pilot:
        await app.push_screen(CannedEditorScreen())
        await pilot.pause(0.3)
        await pilot.press("ctrl+n")
        await pilot.press(*"Ongkir gratis")
        body = app.screen.query_one("#canned-body")
        body.load_text("Halo {{customer.nickname}}, ongkirnya gratis!")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        assert "customer.nickname" in shown(app.screen.query_one("#canned-error"))
        assert not any(c.title == "Ongkir gratis" for c in await store.list_canned())
        body.load_text("Halo {{customer.first_name}}, ongkirnya gratis!")  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        saved = next(c for c in await store.list_canned() if c.title == "Ongkir gratis")
        assert saved.body == "Halo {{customer.first_name}}, ongkirnya gratis!"
        await pilot.press("ctrl+d")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert not any(c.title == "Ongkir gratis" for c in await store.list_canned())
