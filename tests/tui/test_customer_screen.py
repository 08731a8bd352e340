"""The customer's record, opened with C from the ticket or the queue: who they are,
every address, the team's notes (edited against the version seen, a colleague's
newer edit never written over), tags, and every ticket of theirs, opened from there."""

from __future__ import annotations

from collections import Counter

from textual.pilot import Pilot
from textual.widgets import OptionList

from cs_tui.domain.customers import CustomerChanges
from cs_tui.domain.query import Sort
from cs_tui.store import Store
from cs_tui.tui.screens.customer import CustomerScreen
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, open_by_number, screen_text, settled, shown, until


async def customer_with_tickets(store: Store) -> tuple[int, list[int]]:
    """A demo customer with two tickets or more, and their tickets' numbers."""
    page = await store.list_tickets(sort=Sort.UPDATED, limit=500)
    counts = Counter(ticket.customer.id for ticket in page.tickets)
    customer_id = next(cid for cid, count in counts.most_common() if count >= 2)
    return customer_id, [t.id for t in page.tickets if t.customer.id == customer_id]


async def customer_record(pilot: Pilot[None]) -> CustomerScreen:
    """`C`, and the record once it has loaded."""
    app = pilot.app
    await pilot.press("C")
    await until(pilot, lambda: isinstance(app.screen, CustomerScreen) and app.screen.record is not None)
    assert isinstance(app.screen, CustomerScreen)
    return app.screen


async def test_c_shows_the_customer_and_opens_another_ticket_of_theirs(
    make_app: AppFactory, store: Store
) -> None:
    customer_id, ticket_ids = await customer_with_tickets(store)
    record = await store.get_customer_record(customer_id)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_ids[0])
        await customer_record(pilot)
        await settled(pilot)
        text = screen_text(app)
        assert record.name in text
        assert record.email in text
        assert f"{record.ticket_count} tickets" in text
        for ticket_id in ticket_ids:
            assert f"#{ticket_id} " in text
        listed = app.screen.query_one(OptionList)
        listed.highlighted = next(
            i for i in range(listed.option_count) if listed.get_option_at_index(i).id == str(ticket_ids[1])
        )
        await pilot.press("enter")
        pane = main_screen(app).ticket_pane
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == ticket_ids[1])
        assert not isinstance(app.screen, CustomerScreen)


async def test_from_the_queue_c_is_for_the_highlighted_ticket_s_customer(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first = queue.rows[0]
        other = next(t for t in queue.rows if t.customer.id != first.customer.id)
        await pilot.press("enter")  # the first ticket open ...
        await settled(pilot)
        await pilot.press("escape")
        queue.cursor_row = queue.rows.index(other)  # ... another highlighted
        screen = await customer_record(pilot)
        record = screen.record
        assert record is not None
        assert record.id == other.customer.id
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, CustomerScreen))


async def test_notes_are_saved_and_a_colleague_s_newer_notes_are_never_written_over(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    customer_id, ticket_ids = await customer_with_tickets(store)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_ids[0])
        await customer_record(pilot)
        assert "No notes yet" in screen_text(app)
        await pilot.press("e", *"Suka dihubungi lewat WhatsApp.", "ctrl+s")
        await until(pilot, lambda: "Notes saved." in " ".join(notices(app)))
        assert (await store.get_customer_record(customer_id)).notes == "Suka dihubungi lewat WhatsApp."
        await until(pilot, lambda: "Suka dihubungi lewat WhatsApp." in screen_text(app))

        # A colleague saves while this agent writes.
        await pilot.press("e", "enter", *"Reseller sejak 2024.")
        seen = await other_store.get_customer_record(customer_id)
        await other_store.update_customer(
            customer_id,
            CustomerChanges(notes="Jangan telepon malam."),
            expected_version=seen.version,
            actor_id=None,
        )
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "yours was not saved" in " ".join(notices(app)))
        await settled(pilot)
        assert (await store.get_customer_record(customer_id)).notes == "Jangan telepon malam."
        assert "Jangan telepon malam." in screen_text(app)  # theirs, shown ...
        assert "Reseller sejak 2024." in screen_text(app)  # ... above the agent's own, back in the editor
        await pilot.press("ctrl+s")  # saved over theirs on purpose
        wanted = "Suka dihubungi lewat WhatsApp.\nReseller sejak 2024."
        await until(pilot, lambda: "Notes saved." in " ".join(notices(app)))
        assert (await store.get_customer_record(customer_id)).notes == wanted


async def test_hostile_notes_and_tags_show_as_written(make_app: AppFactory, store: Store) -> None:
    customer_id, ticket_ids = await customer_with_tickets(store)
    record = await store.get_customer_record(customer_id)
    hostile = "[bold red]x[/] [@click=app.quit]klik[/] \x1b]0;pwned\x07"
    await store.update_customer(
        customer_id, CustomerChanges(notes=hostile), expected_version=record.version, actor_id=None
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_ids[0])
        await customer_record(pilot)
        await settled(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] [@click=app.quit]klik[/]" in text
        assert "\x1b" not in text


async def test_addresses_are_added_and_a_wrong_one_is_said_in_the_dialog(
    make_app: AppFactory, store: Store
) -> None:
    customer_id, ticket_ids = await customer_with_tickets(store)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_ids[0])
        await customer_record(pilot)
        await pilot.press("i", *"bukan alamat", "enter")
        await until(pilot, lambda: "is not an email address or a phone number" in screen_text(app))
        await pilot.press(*["backspace"] * 20, *"whatsapp:+62 812-3456-7890", "enter")
        await until(pilot, lambda: "Addresses saved." in " ".join(notices(app)))
        assert "whatsapp:+6281234567890" in screen_text(app)
        record = await store.get_customer_record(customer_id)
        assert [i.format() for i in record.other_identities] == ["whatsapp:+6281234567890"]


async def test_a_colleague_s_change_shows_at_once(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    customer_id, ticket_ids = await customer_with_tickets(store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, ticket_ids[0])
        await customer_record(pilot)
        seen = await other_store.get_customer_record(customer_id)
        await other_store.update_customer(
            customer_id, CustomerChanges(add_tags=("reseller",)), expected_version=seen.version, actor_id=None
        )
        await until(pilot, lambda: "#reseller" in screen_text(app))


async def test_customer_in_the_search_says_which_customers_it_means(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("3")
        await settled(pilot)
        customer_id = main_screen(app).queue.rows[0].customer.id
        record = await store.get_customer_record(customer_id)
        part = record.email.split("@")[0]  # a part of their address
        said = main_screen(app).query_one("#search-error")
        await pilot.press("slash", *f"customer:{part}")
        await until(pilot, lambda: said.display and f"customer:{part} means " in shown(said))
        assert f"{record.name} <{record.email}>" in shown(said)
        await pilot.press("enter")  # to the queue: the customers named are no error
        queue = main_screen(app).queue
        await until(pilot, lambda: queue.has_focus)
        await settled(pilot)
        meant = {summary.customer.id for summary in (await store.list_customers(part, limit=50)).customers}
        assert customer_id in {t.customer.id for t in queue.rows} <= meant
        await pilot.press("slash", *["backspace"] * 40, *"customer:zzqx")
        await until(pilot, lambda: "customer:zzqx means no customer" in shown(said))
