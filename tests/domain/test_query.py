"""The search syntax of the queue's `/` and `--query`, as ARCHITECTURE.md fixes it."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.domain import limits
from cs_tui.domain.models import Channel, Priority, Status
from cs_tui.domain.query import Field, Filter, Query, QueryError, Word, parse


def f(field: Field, *values: str, negated: bool = False) -> Filter:
    return Filter(field, values, negated)


def w(text: str, negated: bool = False) -> Word:
    return Word(text, negated)


def q(*parts: Filter | Word) -> Query:
    return Query(
        tuple(p for p in parts if isinstance(p, Filter)),
        tuple(p for p in parts if isinstance(p, Word)),
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", q()),
        ("   ", q()),
        ("refund", q(w("refund"))),
        ("pesanan belum sampai", q(w("pesanan"), w("belum"), w("sampai"))),
        ('"pesanan belum sampai"', q(w("pesanan belum sampai"))),
        ('"  pesanan   belum\tsampai "', q(w("pesanan belum sampai"))),
        ('""', q()),
        ('"say \\"hi\\""', q(w('say "hi"'))),
        ('"status:open"', q(w("status:open"))),
        ("status:open", q(f(Field.STATUS, "open"))),
        ("status:open,pending", q(f(Field.STATUS, "open", "pending"))),
        ("status:on_hold", q(f(Field.STATUS, "on_hold"))),
        ("status:on-hold", q(f(Field.STATUS, "on_hold"))),
        ("STATUS:Open", q(f(Field.STATUS, "open"))),
        ("status:open,open", q(f(Field.STATUS, "open"))),
        ('status:"pending"', q(f(Field.STATUS, "pending"))),
        ("priority:urgent", q(f(Field.PRIORITY, "urgent"))),
        ("priority:high,urgent", q(f(Field.PRIORITY, "high", "urgent"))),
        ("assignee:me", q(f(Field.ASSIGNEE, "me"))),
        ("assignee:Me", q(f(Field.ASSIGNEE, "me"))),
        ("assignee:none", q(f(Field.ASSIGNEE, "none"))),
        ("assignee:ana@tokoku.example", q(f(Field.ASSIGNEE, "ana@tokoku.example"))),
        ("assignee:me,none", q(f(Field.ASSIGNEE, "me", "none"))),
        ("tag:refund", q(f(Field.TAG, "refund"))),
        ('tag:"Late Delivery"', q(f(Field.TAG, "late-delivery"))),
        ("tag:VIP,refund", q(f(Field.TAG, "vip", "refund"))),
        ("channel:email", q(f(Field.CHANNEL, "email"))),
        ("channel:whatsapp,chat", q(f(Field.CHANNEL, "whatsapp", "chat"))),
        ("breaching:yes", q(f(Field.BREACHING, "yes"))),
        ("breaching:no", q(f(Field.BREACHING, "no"))),
        ("snoozed:yes", q(f(Field.SNOOZED, "yes"))),
        ("-snoozed:yes", q(f(Field.SNOOZED, "yes", negated=True))),
        ("customer:budi@example.com", q(f(Field.CUSTOMER, "budi@example.com"))),
        ('customer:"Budi Santoso"', q(f(Field.CUSTOMER, "Budi Santoso"))),
        ('customer:"a,b@example.com"', q(f(Field.CUSTOMER, "a,b@example.com"))),
        ("-tag:spam", q(f(Field.TAG, "spam", negated=True))),
        ("-status:solved,closed", q(f(Field.STATUS, "solved", "closed", negated=True))),
        ("-spam", q(w("spam", negated=True))),
        ('-"kata kasar"', q(w("kata kasar", negated=True))),
        ("- refund", q(w("-"), w("refund"))),
        ("harga-murah", q(w("harga-murah"))),
        ("INV/20261103/MPL/1234", q(w("INV/20261103/MPL/1234"))),
        ("[bold]x[/]", q(w("[bold]x[/]"))),
        ("terima kasih 🙏", q(w("terima"), w("kasih"), w("🙏"))),
        ("退款", q(w("退款"))),
        (
            "status:open,pending priority:urgent assignee:me tag:refund channel:email breaching:yes "
            'customer:budi@example.com -tag:spam "belum sampai" paket',
            q(
                f(Field.STATUS, "open", "pending"),
                f(Field.PRIORITY, "urgent"),
                f(Field.ASSIGNEE, "me"),
                f(Field.TAG, "refund"),
                f(Field.CHANNEL, "email"),
                f(Field.BREACHING, "yes"),
                f(Field.CUSTOMER, "budi@example.com"),
                f(Field.TAG, "spam", negated=True),
                w("belum sampai"),
                w("paket"),
            ),
        ),
        # Filters and words may come in any order; each filter stays as written.
        ("paket status:new paket", q(f(Field.STATUS, "new"), w("paket"), w("paket"))),
        ("status:new status:open", q(f(Field.STATUS, "new"), f(Field.STATUS, "open"))),
    ],
)
def test_parse(source: str, expected: Query) -> None:
    assert parse(source) == expected


def test_every_status_priority_and_channel_is_a_filter_value() -> None:
    for field, values in ((Field.STATUS, Status), (Field.PRIORITY, Priority), (Field.CHANNEL, Channel)):
        for value in values:
            assert parse(f"{field}:{value}") == q(f(field, value.value))


@pytest.mark.parametrize(
    ("source", "mentions_me"),
    [
        ("assignee:me", True),
        ("assignee:none,me", True),
        ("-assignee:me", True),
        ("assignee:none", False),
        ("assignee:ana@tokoku.example", False),
        ("me", False),
        ("customer:meira", False),
        ("", False),
    ],
)
def test_mentions_me(source: str, mentions_me: bool) -> None:
    assert parse(source).mentions_me is mentions_me


def test_values_of_a_single_positive_filter() -> None:
    assert parse("status:open,pending paket").values_of(Field.STATUS) == ("open", "pending")
    assert parse("-status:open").values_of(Field.STATUS) is None
    assert parse("status:open status:new").values_of(Field.STATUS) is None
    assert parse("priority:low").values_of(Field.STATUS) is None


def test_empty_query_is_false() -> None:
    assert not parse("  ")
    assert not parse('""')
    assert parse("x")


@pytest.mark.parametrize(
    ("source", "position", "says"),
    [
        ("foo:bar", 0, ["unknown filter 'foo:'", "status:", "customer:", "quote the word"]),
        ("paket -foo:bar", 7, ["unknown filter 'foo:'"]),
        ("http://shop.example", 0, ["unknown filter 'http:'", "quote the word"]),
        (":x", 0, ["unknown filter"]),
        ("status:opne", 7, ["unknown status 'opne'", "new, open, pending, on_hold, solved, closed"]),
        ("status:open,wait", 12, ["unknown status 'wait'", "use one of"]),
        ('status:"opne"', 7, ["unknown status 'opne'"]),
        ("priority:asap", 9, ["unknown priority 'asap'", "low, normal, high, urgent"]),
        ("channel:fax", 8, ["unknown channel 'fax'", "email, chat, web, phone, social, whatsapp"]),
        ("breaching:maybe", 10, ["unknown breaching 'maybe'", "yes, no"]),
        ("status:", 7, ["'status:' needs a value", "status:open,pending"]),
        ("paket tag: x", 10, ["'tag:' needs a value", "tag:refund"]),
        ("status:open,", 12, ["'status:' needs a value"]),
        ("tag:a,,b", 6, ["'tag:' needs a value"]),
        ('assignee:""', 9, ["'assignee:' needs a value", "assignee:me"]),
        ("customer:", 9, ["'customer:' needs a value", "customer:budi@example.com"]),
        ('"belum sampai', 0, ['unclosed quote: add a closing "']),
        ('paket "belum', 6, ["unclosed quote"]),
        ('customer:"Budi', 9, ["unclosed quote"]),
        ('pa"ket', 2, ["a quote inside a word", "put the whole phrase in quotes"]),
        ('status:open"x"', 11, ["unexpected '\"' after 'status:' value"]),
    ],
)
def test_bad_queries_say_what_to_do_and_where(source: str, position: int, says: list[str]) -> None:
    with pytest.raises(QueryError) as caught:
        parse(source)
    error = caught.value
    assert error.position == position
    assert f"(at character {position + 1})" in str(error)
    for fragment in says:
        assert fragment in error.message


def test_error_length_covers_the_bad_part() -> None:
    with pytest.raises(QueryError) as caught:
        parse("paket -foo:bar")
    assert caught.value.position == 7
    assert caught.value.length == len("foo:")
    with pytest.raises(QueryError) as caught:
        parse("status:opne")
    assert caught.value.length == len("opne")


@pytest.mark.parametrize("source", ["🙏", "!!! ???", "-", '"..." 🙂', "  -- "])
def test_a_search_of_nothing_but_emoji_or_punctuation_is_refused(source: str) -> None:
    """The indexes keep letters and digits alone: such a search would list every ticket."""
    with pytest.raises(QueryError, match="nothing to search for: a search needs a letter or a digit"):
        parse(source)


@pytest.mark.parametrize("source", ["terima kasih 🙏", "status:open 🙏", "- refund"])
def test_emoji_beside_words_or_filters_narrow_nothing_and_are_allowed(source: str) -> None:
    assert parse(source)


def test_a_search_has_a_stated_limit_on_terms_and_length() -> None:
    most = " ".join(f"w{n}" for n in range(limits.QUERY_TERMS))
    assert len(parse(most).words) == limits.QUERY_TERMS
    with pytest.raises(QueryError, match=f"at most {limits.QUERY_TERMS} terms") as caught:
        parse(f"{most} satu-lagi")
    assert caught.value.position == len(most) + 1  # the caret is under the first one too many
    with pytest.raises(QueryError, match=f"at most {limits.QUERY_TERMS} terms"):
        parse(" ".join(f"tag:t{n}" for n in range(limits.QUERY_TERMS + 1)))
    with pytest.raises(QueryError, match=f"at most {limits.QUERY_CHARS:,} characters"):
        parse('"' + "a" * limits.QUERY_CHARS + '"')


@pytest.mark.parametrize(
    "source",
    [
        '"-x"',
        '"-" x',
        '-"-x"',
        '"a,b"',
        '"a:b"',
        '"say \\"hi\\""',
        '"back\\\\slash x"',
        'customer:"a,b@example.com"',
        'customer:"-budi"',
        'customer:"x:y"',
        'tag:"Late Delivery",refund',
        'status:on-hold -assignee:Me "belum sampai"',
    ],
)
def test_tricky_queries_format_back_to_themselves(source: str) -> None:
    query = parse(source)
    assert parse(query.format()) == query


# Generated queries, built from the grammar's pieces.

_WORD_CHARS = string.ascii_letters + string.digits + "./@#[]()!?'_&-" + "éàüñ" + "退款" + "🙏"
_ANY_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(' \t-:,"\\'), st.characters(codec="utf-8")), max_size=20
)


def _cases(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from(sorted({text, text.upper(), text.capitalize()}))


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_bare_word = st.text(alphabet=_WORD_CHARS, min_size=1, max_size=8).filter(lambda s: not s.startswith("-"))
# Text full of the characters the syntax gives a meaning to.
_tricky_text = st.text(
    alphabet=st.one_of(st.sampled_from(' -:,"\\\t'), st.sampled_from(_WORD_CHARS)), max_size=12
)
_phrase = _tricky_text.map(_quoted)
_email = st.builds(
    "{}@{}.example".format,
    st.text(alphabet=string.ascii_letters + string.digits + "._+", min_size=1, max_size=6),
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6),
)


def _value(field: Field) -> st.SearchStrategy[str]:
    choices = {
        Field.STATUS: st.sampled_from(["on-hold", *Status]),
        Field.PRIORITY: st.sampled_from(list(Priority)),
        Field.CHANNEL: st.sampled_from(list(Channel)),
        Field.BREACHING: st.sampled_from(["yes", "no"]),
        Field.SNOOZED: st.sampled_from(["yes", "no"]),
        Field.ASSIGNEE: st.one_of(st.sampled_from(["me", "none"]), _email),
        Field.TAG: st.one_of(_bare_word, _tricky_text.filter(str.strip)),
        Field.CUSTOMER: st.one_of(
            _email,
            # A part of a name or an address: three characters or more (domain.customers).
            _tricky_text.filter(lambda v: len(v.strip()) >= 3 and not v.strip().startswith("#")),
            st.integers(0, 10**6).map("#{}".format),
        ),
    }[field]
    plain = choices.flatmap(_cases) if field not in (Field.TAG, Field.CUSTOMER) else choices
    # Quote when the value could not stand bare; otherwise sometimes quote anyway.
    return plain.flatmap(
        lambda v: (
            st.just(_quoted(v))
            if not v or any(c.isspace() or c in '",:\\' for c in v) or v.startswith("-")
            else st.sampled_from([v, _quoted(v)])
        )
    )


@st.composite
def _filter(draw: st.DrawFn) -> str:
    field = draw(st.sampled_from(list(Field)))
    values = draw(st.lists(_value(field), min_size=1, max_size=3))
    name = draw(_cases(field.value))
    return f"{draw(st.sampled_from(['', '-']))}{name}:{','.join(values)}"


_word = st.builds("{}{}".format, st.sampled_from(["", "-"]), st.one_of(_bare_word, _phrase))
_queries = st.lists(st.one_of(_filter(), _word), max_size=6).flatmap(
    lambda parts: st.lists(
        st.sampled_from([" ", "  ", "\t", " \n "]), min_size=len(parts), max_size=len(parts)
    ).map(lambda gaps: "".join(gap + part for gap, part in zip(gaps, parts, strict=True)))
)


@settings(max_examples=200, deadline=None)
@given(_queries)
def test_format_parses_back_to_the_same_query(source: str) -> None:
    query = _parse_or_error(source)
    if isinstance(query, QueryError):  # words of punctuation alone, say "-"
        assert query.message.startswith("nothing to search for"), query
        return
    again = parse(query.format())
    assert again == query
    assert again.format() == query.format()


@settings(max_examples=200, deadline=None)
@given(st.one_of(_ANY_TEXT, st.text(max_size=30)))
def test_parse_fails_only_with_query_error(source: str) -> None:
    result = _parse_or_error(source)
    if isinstance(result, QueryError):
        assert 0 <= result.position <= len(source)
        assert result.length >= 1
    else:
        assert parse(result.format()) == result


def _parse_or_error(source: str) -> Query | QueryError:
    try:
        return parse(source)
    except QueryError as error:
        return error
