"""What only the SQLite store does about counts: past 1,000 a common word's count is
an estimate from samples of the ticket ids, and a word is searched as the index's
terms it is the prefix of; the pages stay exact."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cs_tui.domain.models import AuthorKind, NewMessage, Ticket
from cs_tui.domain.query import Sort, Word, parse
from cs_tui.store import Store
from cs_tui.store.sqlite import counting as counting_module
from cs_tui.store.sqlite import store as sqlite_store_module
from cs_tui.store.sqlite import terms as terms_module
from cs_tui.store.sqlite.counting import MOST_SPANS, SEEK_IDS, spans_of
from cs_tui.store.sqlite.estimate import CAP, Stretch, estimate, stretches, stretches_sql
from cs_tui.store.sqlite.terms import MOST_TERMS, plain_token, spelled_out

from .conftest import sqlite_store
from .helpers import PESANAN, SHOP, fill_shop, matching


async def every_page(store: Store, text: str, sort: Sort) -> list[Ticket]:
    found: list[Ticket] = []
    after: str | None = None
    while True:
        page = await store.list_tickets(parse(text), sort=sort, after=after, limit=500)
        found.extend(page.tickets)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


async def written_to_again(store: Store, pick: Callable[[list[Ticket]], list[Ticket]]) -> list[str]:
    """A customer writes again on the tickets `pick` takes from the queue in its order
    by activity; the refs of the tickets with `pesanan`, in that order after."""
    for ticket in pick(await every_page(store, "", Sort.UPDATED)):
        again = NewMessage(f"again-{ticket.id}", "Halo, ada kabar?", AuthorKind.CUSTOMER)
        await store.add_message(ticket.id, again, actor_id=None)
    return [t.ref or "" for t in await every_page(store, "", Sort.UPDATED) if has_pesanan(t)]


def has_pesanan(ticket: Ticket) -> bool:
    return int((ticket.ref or "").removeprefix("shop-")) % 10 != 0


async def test_a_common_word_is_estimated_closely_and_paged_exactly(tmp_path: Path) -> None:
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        page = await store.list_tickets(parse("pesanan"), limit=20)
        assert page.total_is_estimate
        assert abs(page.total - PESANAN) <= 0.05 * PESANAN
        expected = {f"shop-{n}" for n in range(SHOP) if n % 10}
        for sort in Sort:
            listed = await every_page(store, "pesanan", sort)
            assert {t.ref for t in listed} == expected, sort
            assert len(listed) == len(expected), sort
            mixed = await every_page(store, "status:open pesanan", sort)
            assert {t.ref for t in mixed} == {f"shop-{n}" for n in range(SHOP) if n % 10 and n % 3 == 0}
        # Two common words: the other one's entries are read as far back as the first's.
        both = await store.list_tickets(parse("pesanan halo"), limit=20)
        assert both.total_is_estimate
        assert abs(both.total - PESANAN) <= 0.05 * PESANAN
        assert {t.ref for t in await every_page(store, "pesanan halo", Sort.UPDATED)} == expected


async def test_a_word_finds_what_its_prefix_query_finds(tmp_path: Path) -> None:
    """A word is spelled out as the terms it begins (ASCII, any case); an accented
    word or one that begins too many terms stays an FTS5 prefix query: all alike."""
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        for text in ("pesan", "PESANAN", "pésanan", "pesanan"):
            assert await store.count_tickets(parse(text)) == PESANAN, text
        # "1" begins "1", "10", "100", "1234", ...: more terms than are spelled out. Each
        # ticket's number is in its subject, and its customer's in their name.
        ones = matching(lambda n: str(n).startswith("1") or str(n % 97).startswith("1"))
        assert await store.count_tickets(parse("1")) == ones
        page = await store.list_tickets(parse("1"), limit=5)
        assert (page.total, page.total_is_estimate) == (ones, False)


def test_a_word_is_spelled_out_only_when_the_index_lists_its_terms_in_full() -> None:
    words = [Word("pesan"), Word("x"), Word("pe")]
    found = [(0, "pesan"), (0, "pesanan"), *((2, f"pe{n:03}") for n in range(MOST_TERMS + 1))]
    assert spelled_out(words, found) == {"pesan": '"pesan" OR "pesanan"'}
    assert plain_token(Word("Pesanan")) == "pesanan"
    assert plain_token(Word("pésanan")) is None
    assert plain_token(Word("e-mail")) is None
    # A phrase: its last token's terms, each after the tokens before it.
    phrase = [Word("Pesanan saya")]
    assert plain_token(phrase[0]) == "saya"
    assert spelled_out(phrase, [(0, "saya"), (0, "sayang")]) == {
        "Pesanan saya": '"pesanan saya" OR "pesanan sayang"'
    }
    assert plain_token(Word("pesanan  saya")) is None


async def test_a_phrase_of_plain_words_finds_what_its_prefix_query_finds_and_is_estimated_past_1000(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        page = await store.list_tickets(parse('"halo kak"'), limit=20)
        spelled = {text: await store.count_tickets(parse(text)) for text in ('"tiket 1"', '"kak pesanan"')}
        monkeypatch.setattr(terms_module, "MOST_TERMS", 0)  # nothing spelled: FTS5's prefix queries
        as_prefixes = {text: await store.count_tickets(parse(text)) for text in spelled}
    assert page.total_is_estimate
    assert abs(page.total - SHOP) <= 0.05 * SHOP
    assert spelled == as_prefixes
    assert spelled['"tiket 1"'] == matching(lambda n: str(n).startswith("1"))


def test_the_estimate_weighs_each_sample_by_the_ids_it_stands_for() -> None:
    plan = stretches(9_001, 1, 10_000)
    assert plan is not None
    assert plan[0] == Stretch(9_001, 10_000, 1.0)
    widths = {s.last - s.first + 1 for s in plan[1:]}
    assert widths == {125}
    assert sum(s.weight * (s.last - s.first + 1) for s in plan[1:]) == 9_000
    # Half the newest stretch matches, a fifth of each older one: 500 + 9,000 / 5.
    rows = [(0, 1_000, 500), *((place, 125, 25) for place in range(1, 9))]
    assert estimate(10_000, plan, rows) == 2_300
    # Filters that keep a tenth of the older tickets: the matches among those scale
    # to the filters' exact count.
    rows = [(0, 1_000, 500), *((place, 12, 6) for place in range(1, 9))]
    assert estimate(2_000, plan, rows) == 1_000
    # Where the samples would cover most of the older ids, none are taken.
    assert stretches(CAP, 1, 3 * CAP) is None


async def test_old_tickets_written_to_today_are_found_on_a_common_words_first_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page of a common word is looked for among the tickets updated last,
    in the stretches of ids around them: old tickets far behind the newest, answered
    today, are on it in their place. The import leaves the text index in one piece."""
    monkeypatch.setattr(sqlite_store_module, "OPTIMIZE_AFTER", 1)
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        # Old ones, hundreds of ids apart.
        expected = await written_to_again(store, lambda everything: everything[-3400::850])
        page = await store.list_tickets(parse("pesanan"), sort=Sort.UPDATED, limit=20)
    assert [t.ref for t in page.tickets] == expected[:20]
    assert page.total_is_estimate
    assert abs(page.total - PESANAN) <= 0.05 * PESANAN


async def test_a_common_words_first_page_is_found_among_tickets_spread_too_far_to_read_around(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the first tickets of the queue's order are spread wider than the stretches
    read around them would be worth, each is looked up in the index on its own. (The
    shop is small: seeks are made dear and stretches few for it.)"""
    monkeypatch.setattr(counting_module, "MOST_SPANS", 2)
    monkeypatch.setattr(counting_module, "SEEK_IDS", 20)
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        expected = await written_to_again(store, lambda everything: everything[-3900::300])  # far apart
        page = await store.list_tickets(parse("pesanan"), sort=Sort.UPDATED, limit=20)
    assert [t.ref for t in page.tickets] == expected[:20]


async def test_a_common_words_first_page_is_whole_where_the_tickets_updated_last_seldom_have_it(
    tmp_path: Path,
) -> None:
    """The first tickets of the queue's order are looked at as many as the word's
    share says a page takes; where they hold fewer matches, the page goes on after
    them, each ticket once and in its place."""
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        expected = await written_to_again(
            store, lambda everything: [t for t in everything if not has_pesanan(t)][:30]
        )
        first = await store.list_tickets(parse("pesanan"), sort=Sort.UPDATED, limit=20)
        second = await store.list_tickets(
            parse("pesanan"), sort=Sort.UPDATED, after=first.next_cursor, limit=20
        )
    assert [t.ref for t in first.tickets] == expected[:20]
    assert [t.ref for t in second.tickets] == expected[20:40]
    assert first.total_is_estimate


async def test_the_newest_stretchs_matches_taken_from_the_probe_are_what_counting_them_again_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe's CAP + 1 matches are all of the newest stretch's: the estimate made
    from them is the one made by counting that stretch's matches again."""
    searches = ["pesanan", "status:open pesanan", "pesanan -status:open", "halo pesanan -ongkir"]
    async with sqlite_store(tmp_path) as store:
        await fill_shop(store)
        pages = [await store.list_tickets(parse(text), limit=20) for text in searches]
        counting_again = stretches_sql
        monkeypatch.setattr(
            counting_module, "stretches_sql", lambda *args, newest_matches=None: counting_again(*args)
        )
        counted_again = [await store.list_tickets(parse(text), limit=20) for text in searches]
    assert [p.total for p in pages] == [p.total for p in counted_again]
    assert [p.total_is_estimate for p in pages] == [p.total_is_estimate for p in counted_again]
    assert pages[0].total_is_estimate


def test_the_stretches_of_ids_leave_out_wide_gaps_and_are_few() -> None:
    assert spans_of([5]) == [(5, 5)]
    assert spans_of([1, 2, 3, 3 + SEEK_IDS, 10_000, 10_001]) == [(1, 3 + SEEK_IDS), (10_000, 10_001)]
    spread = spans_of(list(range(0, 1_000_000, 1_000)))
    assert len(spread) == MOST_SPANS
    covered = {n for first, last in spread for n in range(0, 1_000_000, 1_000) if first <= n <= last}
    assert covered == set(range(0, 1_000_000, 1_000))
