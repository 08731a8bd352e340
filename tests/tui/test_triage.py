"""Triage at power-user speed: sorting from the screen, opening a ticket by its
number, moving to the next and previous ticket of the view, and more, each as an
agent does it with the keys."""

from __future__ import annotations

from functools import partial

from cs_tui.domain.models import CannedActions, CannedResponse, Status
from cs_tui.domain.query import Sort, parse
from cs_tui.store.base import Store
from cs_tui.tui.screens.canned import CannedPicker
from cs_tui.tui.screens.pickers import AskScreen, ChoiceScreen
from cs_tui.tui.screens.team import TeamPicker
from cs_tui.tui.widgets.queue import QueueTable

from .helpers import AppFactory, main_screen, notices, settled, until


async def test_the_queue_is_ordered_from_the_screen_and_its_title_says_how(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        pane = app.screen.query_one("#queue-pane")
        queue = app.screen.query_one(QueueTable)
        assert pane.border_title == "3 All open · by activity"
        await pilot.press("o")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("o")  # oldest first: its letter picks it
        await until(pilot, lambda: pane.border_title == "3 All open · oldest first")
        expected = await store.list_tickets(
            parse("status:new,open,pending,on_hold"), sort=Sort.OLDEST, limit=10
        )
        await until(pilot, lambda: [t.id for t in queue.rows[:10]] == [t.id for t in expected.tickets])
        await pilot.press("4")  # another view: its own order again
        await until(pilot, lambda: pane.border_title == "4 Urgent · by activity")


async def test_a_ticket_is_assigned_to_anyone_picked_as_you_type_and_the_change_repeats_with_a_dot(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    dewi = next(a for a in await store.list_agents() if a.name.startswith("Dewi"))
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first, second = queue.rows[0], queue.rows[1]
        await pilot.press("A")
        await until(pilot, lambda: isinstance(app.screen, TeamPicker))
        await pilot.press(*"dewi", "enter")
        await until(pilot, lambda: assigned_to(store, first.id, dewi.id))
        assert any(f"Assigned to {dewi.name}" in n for n in notices(app))
        queue.cursor_row = queue.rows.index(next(t for t in queue.rows if t.id == second.id))
        await pilot.press("full_stop")  # the same change, on the ticket now highlighted
        await until(pilot, lambda: assigned_to(store, second.id, dewi.id))


async def assigned_to(store: Store, ticket_id: int, agent_id: int) -> bool:
    ticket = await store.get_ticket(ticket_id)
    return ticket.assignee is not None and ticket.assignee.id == agent_id


async def test_next_and_previous_open_the_views_tickets_in_turn(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        rows = [t.id for t in queue.rows[:3]]
        pane = main_screen(app).ticket_pane
        await pilot.press("enter")
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == rows[0])
        await pilot.press("bracketright", "bracketright")
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == rows[2])
        assert queue.current is not None
        assert queue.current.id == rows[2]  # the queue's cursor goes along
        await pilot.press("bracketleft")
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == rows[1])


async def test_marks_all_of_a_view_a_range_and_the_others_instead(make_app: AppFactory, store: Store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 20), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        pane = app.screen.query_one("#queue-pane")
        total = queue.total
        await pilot.press("X")
        await until(pilot, lambda: len(queue.marked) == total)
        assert f"{total} marked" in str(pane.border_subtitle)
        await pilot.press("ctrl+x")  # the others instead: none
        await until(pilot, lambda: not queue.marked)
        await pilot.press("g", "J", "J")  # a range of three, from the top
        assert queue.marked == {t.id for t in queue.rows[:3]}
        await pilot.press("escape")
        await until(pilot, lambda: not queue.marked)


async def test_send_and_next_answers_sets_the_status_and_lands_on_the_next_ticket(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        first, second = queue.rows[0].id, queue.rows[1].id
        pane = main_screen(app).ticket_pane
        await pilot.press("r", *"Sudah kami proses, Kak.")
        await until(pilot, lambda: pane.composer.text == "Sudah kami proses, Kak.")
        await pilot.press("ctrl+n")
        await until(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("p")
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == second)
        await until(pilot, lambda: status_is(store, first, Status.PENDING))
        assert (await store.get_messages(first)).messages[-1].body == "Sudah kami proses, Kak."


async def status_is(store: Store, ticket_id: int, status: Status) -> bool:
    return (await store.get_ticket(ticket_id)).status is status


async def test_the_command_line_runs_every_action_by_name_completes_it_and_opens_a_ticket_by_number(
    make_app: AppFactory, store: Store
) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        target = queue.rows[1]
        pane = main_screen(app).ticket_pane
        await pilot.press("colon", *str(target.id), "enter")  # :1885
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == target.id)
        await pilot.press("colon", *"status pen", "tab", "enter")  # completed to "status pending"
        await until(pilot, lambda: status_is(store, target.id, Status.PENDING))
        await pilot.press("colon", *"sort sla", "enter")
        pane_title = app.screen.query_one("#queue-pane")
        await until(pilot, lambda: str(pane_title.border_title).endswith("by SLA"))
        await pilot.press("colon", *"stauts open", "enter")  # a typo: said, nothing done
        await until(pilot, lambda: any("did you mean status open" in n for n in notices(app)))
        await pilot.press("escape")
        assert not app.screen.query_one("#command-line").display


async def test_a_tickets_number_in_the_search_opens_it(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        target = app.screen.query_one(QueueTable).rows[2]
        pane = main_screen(app).ticket_pane
        await pilot.press("slash", *f"#{target.id}", "enter")
        await until(pilot, lambda: pane.ticket is not None and pane.ticket.id == target.id)


async def test_the_palette_lists_the_same_commands_as_the_command_line(make_app: AppFactory) -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot)
        screen = main_screen(app)
        listed = {command.help for command in app.get_system_commands(screen)}
        assert {f":{command.words}" for command in screen.known_commands()} <= listed


async def test_a_canned_reply_goes_to_each_marked_ticket_in_its_own_customers_name(
    make_app: AppFactory, store: Store
) -> None:
    await store.save_canned(
        CannedResponse(
            None, "Sapa singkat", "Halo {{customer.first_name}}, kami cek dulu ya.", shortcut="zzsapa",
            actions=CannedActions(status=Status.PENDING),
        ),
        actor_id=None,
    )  # fmt: skip
    app = make_app()
    async with app.run_test(size=(160, 48), notifications=True) as pilot:
        await settled(pilot)
        await pilot.press("3")
        await settled(pilot)
        queue = app.screen.query_one(QueueTable)
        marked = [t for t in queue.rows if t.status is not Status.PENDING and t.customer.first_name][:2]
        for ticket in marked:
            queue.cursor_row = queue.rows.index(ticket)
            await pilot.press("x")
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, CannedPicker))
        await pilot.press(*"zzsapa", "enter")
        await until(pilot, lambda: isinstance(app.screen, AskScreen))
        await pilot.press("enter")  # Send 2
        for ticket in marked:
            await until(pilot, partial(status_is, store, ticket.id, Status.PENDING))
            last = (await store.get_messages(ticket.id)).messages[-1]
            assert last.body == f"Halo {ticket.customer.first_name}, kami cek dulu ya."
        assert not queue.marked
