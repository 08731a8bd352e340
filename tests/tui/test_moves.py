"""Merging and splitting from the screen: M merges the ticket the agent sees into
another (the customer's others offered), after saying what it will do; S splits the
marked message off into a new ticket; what the rules refuse is said before anything
is asked; a merge made elsewhere shows in the open thread at once."""

from __future__ import annotations

import uuid

from cs_tui.domain.models import Agent, AuthorKind, NewMessage, NewTicket, Status, Ticket
from cs_tui.store import Store
from cs_tui.tui.screens.moving import MergeScreen, SplitScreen
from cs_tui.tui.screens.pickers import AskScreen

from .helpers import AppFactory, main_screen, notices, open_by_number, screen_text, settled, until


async def two_tickets_of_budi(store: Store) -> tuple[Ticket, Ticket]:
    """Budi wrote twice about one parcel: the older ticket, and the newer."""
    older = await store.create_ticket(
        NewTicket("Paket belum sampai", "budi.merge@example.com", "Paket saya belum sampai.", "Budi Santoso"),
        actor_id=None,
    )
    newer = await store.create_ticket(
        NewTicket("Paket saya mana?", "budi.merge@example.com", "Sudah seminggu, Kak.", "Budi Santoso"),
        actor_id=None,
    )
    return older, newer


async def test_m_merges_into_the_customer_s_other_ticket_after_asking(
    make_app: AppFactory, store: Store
) -> None:
    older, newer = await two_tickets_of_budi(store)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, newer.id)
        await pilot.press("M")
        await until(pilot, lambda: isinstance(app.screen, MergeScreen))
        assert f"#{older.id} Paket belum sampai (Budi Santoso, new)" in screen_text(app)
        await pilot.press("enter")  # the customer's other ticket, offered first
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        assert "A merge cannot be undone" in screen_text(app)
        assert (await store.get_ticket(newer.id)).merged_into is None  # asked, not done
        await pilot.press("enter")  # Merge
        pane = main_screen(app).ticket_pane
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == older.id)
        await settled(pilot)
        assert (await store.get_ticket(newer.id)).merged_into == older.id
        assert f"#{newer.id} merged into #{older.id}" in " ".join(notices(app))
        text = screen_text(app)
        assert "Paket saya belum sampai." in text
        assert "Sudah seminggu, Kak." in text  # the merged ticket's words, in this thread


async def test_what_the_rules_refuse_is_said_before_anything_is_asked(
    make_app: AppFactory, store: Store
) -> None:
    _, newer = await two_tickets_of_budi(store)
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, newer.id)
        await pilot.press("M", *str(newer.id), "enter")
        await until(pilot, lambda: "cannot be merged into itself" in " ".join(notices(app)))
        assert not isinstance(app.screen, AskScreen)
        assert (await store.get_ticket(newer.id)).merged_into is None


async def test_a_merge_said_no_to_changes_nothing(make_app: AppFactory, store: Store) -> None:
    older, newer = await two_tickets_of_budi(store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, newer.id)
        await pilot.press("M", *str(older.id), "enter")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, AskScreen))
        await settled(pilot)
        assert (await store.get_ticket(newer.id)).status is Status.NEW
        assert (await store.get_ticket(newer.id)).merged_into is None


async def test_s_splits_the_marked_message_off_into_a_new_ticket(make_app: AppFactory, store: Store) -> None:
    older, _ = await two_tickets_of_budi(store)
    await store.add_message(
        older.id,
        NewMessage(
            str(uuid.uuid4()), "Oh ya, saya juga mau tukar ukuran sepatu.", author_kind=AuthorKind.CUSTOMER
        ),
        actor_id=None,
    )
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, older.id)
        await pilot.press("S")  # the newest message is marked
        await until(pilot, lambda: isinstance(app.screen, SplitScreen))
        await pilot.press("ctrl+u", *"Tukar ukuran sepatu", "enter")
        pane = main_screen(app).ticket_pane
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id != older.id)
        assert pane.ticket is not None
        split = await store.get_ticket(pane.ticket.id)
        assert split.subject == "Tukar ukuran sepatu"
        assert "tukar ukuran sepatu" in screen_text(app)
        messages = (await store.get_messages(older.id)).messages
        assert all("sepatu" not in m.body for m in messages)


async def test_an_agent_s_reply_is_not_offered_to_split_off(
    make_app: AppFactory, store: Store, agent: Agent
) -> None:
    older, _ = await two_tickets_of_budi(store)
    await store.add_message(
        older.id, NewMessage(str(uuid.uuid4()), "Kami cek dulu ya, Kak."), actor_id=agent.id
    )
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settled(pilot)
        await open_by_number(pilot, older.id)
        await pilot.press("S")  # the newest, an agent's reply, is marked
        await until(pilot, lambda: "is an agent's" in " ".join(notices(app)))
        assert not isinstance(app.screen, SplitScreen)


async def test_a_merge_made_elsewhere_shows_in_the_open_thread(
    make_app: AppFactory, store: Store, other_store: Store
) -> None:
    older, newer = await two_tickets_of_budi(store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await open_by_number(pilot, newer.id)
        await other_store.merge_tickets(  # the older one's words come in above those shown
            older.id,
            newer.id,
            expected_version=older.version,
            into_expected_version=newer.version,
            actor_id=None,
        )
        await until(pilot, lambda: "Paket saya belum sampai." in screen_text(app))
        text = screen_text(app)
        assert f"#{older.id} merged into this ticket" in text
        # In time order: the older ticket's words first.
        assert text.index("Paket saya belum sampai.") < text.index("Sudah seminggu, Kak.")
