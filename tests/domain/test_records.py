"""The JSON Lines import/export format: bad lines say which field is wrong, good ones round-trip."""

from __future__ import annotations

import contextlib
import json
import string
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cs_tui.domain.models import AuthorKind, Channel, Csat, Priority, Status, normalize_tag
from cs_tui.domain.records import MessageRecord, RecordError, TicketRecord, parse_line

# The example line of ARCHITECTURE.md, filled in.
GOOD: dict[str, Any] = {
    "ref": "ZD-5521",
    "subject": "Pesanan belum sampai",
    "status": "open",
    "priority": "high",
    "channel": "whatsapp",
    "customer": {"name": "Budi Santoso", "email": "budi@example.com"},
    "assignee": "ana@tokoku.example",
    "tags": ["late-delivery"],
    "created_at": "2026-11-03T09:15:00Z",
    "messages": [
        {"author": "customer", "body": "Halo, pesanan saya belum sampai.", "internal": False,
         "created_at": "2026-11-03T09:15:00Z"},
        {"author": "system", "body": "Terima kasih, tiket Anda kami terima.", "internal": False, "auto": True,
         "created_at": "2026-11-03T09:15:01Z"},
        {"author": "agent:ana@tokoku.example", "body": "Cek ke JNE", "internal": True,
         "created_at": "2026-11-03T09:20:00Z"},
        {"author": "agent:ana@tokoku.example", "body": "Halo Budi, kami cek dulu ya.", "internal": False,
         "created_at": "2026-11-03T09:30:00.250000+07:00"},
    ],
}  # fmt: skip


def line(**changes: Any) -> str:
    return json.dumps(GOOD | changes)


def with_message(**changes: Any) -> str:
    message = GOOD["messages"][0] | changes
    return json.dumps(GOOD | {"messages": [message]})


def test_the_documented_line_parses() -> None:
    record = parse_line(line())
    assert record.ref == "ZD-5521"
    assert record.subject == "Pesanan belum sampai"
    assert (record.status, record.priority, record.channel) == (Status.OPEN, Priority.HIGH, Channel.WHATSAPP)
    assert (record.customer_name, record.customer_email) == ("Budi Santoso", "budi@example.com")
    assert record.assignee_email == "ana@tokoku.example"
    assert record.tags == ("late-delivery",)
    assert record.created_at == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
    assert [(m.author_kind, m.agent_email, m.internal, m.auto) for m in record.messages] == [
        (AuthorKind.CUSTOMER, None, False, False),
        (AuthorKind.SYSTEM, None, False, True),
        (AuthorKind.AGENT, "ana@tokoku.example", True, False),
        (AuthorKind.AGENT, "ana@tokoku.example", False, False),
    ]
    assert record.messages[3].created_at == datetime(2026, 11, 3, 2, 30, 0, 250_000, tzinfo=UTC)


def test_a_minimal_line_gets_defaults() -> None:
    record = parse_line(
        '{"subject": "Refund", "customer": {"email": "Siti@Example.com"},'
        ' "created_at": "2026-11-03T09:15:00"}'
    )
    assert (record.status, record.priority, record.channel) == (Status.NEW, Priority.NORMAL, Channel.EMAIL)
    assert (record.ref, record.assignee_email, record.tags, record.messages) == (None, None, (), ())
    assert record.customer_email == "siti@example.com"
    assert record.created_at == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)  # no offset: UTC


def test_tags_and_emails_are_normalised() -> None:
    record = parse_line(
        line(tags=["Late Delivery", "late-delivery", " VIP "], assignee=" Ana@Tokoku.Example ", ref=" ")
    )
    assert record.tags == ("late-delivery", "vip")
    assert record.assignee_email == "ana@tokoku.example"
    assert record.ref is None


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not json", ["not valid JSON", "column 1"]),
        ('{"subject": "x",', ["not valid JSON"]),
        ("", ["not valid JSON"]),
        ('["a", "list"]', ["expected a JSON object"]),
        (line(subject=None), ['"subject" is missing or empty']),
        (line(subject="   "), ['"subject" is missing or empty']),
        (line(subject=42), ['"subject" must be a string']),
        (json.dumps({k: v for k, v in GOOD.items() if k != "subject"}), ['"subject" is missing']),
        (line(status="done"), ["\"status\" is 'done'", "new, open, pending, on_hold, solved, closed"]),
        (line(status="Open"), ['"status"', "use one of"]),
        (line(priority="asap"), ["\"priority\" is 'asap'", "low, normal, high, urgent"]),
        (line(channel="fax"), ["\"channel\" is 'fax'", "email, chat, web, phone, social, whatsapp"]),
        (line(customer="budi@example.com"), ['"customer" must be an object']),
        (line(customer={"name": "Budi"}), ['"customer.email" is missing']),
        (line(customer={"email": "budi.example.com"}), ['"customer.email" is not an email address']),
        (line(customer={"email": "budi @example.com"}), ['"customer.email" is not an email address']),
        (line(customer={"email": "b@x", "name": 7}), ['"customer.name" must be a string']),
        (line(assignee="Ana"), ['"assignee" must be an agent\'s email address or null']),
        (line(tags="refund"), ['"tags" must be a list of strings']),
        (line(tags=["refund", 3]), ['"tags" must be a list of strings']),
        (line(ref=["x"]), ['"ref" must be a string']),
        (line(id="1042"), ['"id" must be an integer']),
        (
            line(created_at="03/11/2026 09:15"),
            ['"created_at" is not an ISO 8601 time', "2026-11-03T09:15:00Z"],
        ),
        (line(created_at="2026-13-03T09:15:00Z"), ['"created_at" is not an ISO 8601 time']),
        (line(created_at=1762161300), ['"created_at" must be an ISO 8601 time like 2026-11-03T09:15:00Z']),
        (
            json.dumps({k: v for k, v in GOOD.items() if k != "created_at"}),
            ['"created_at" must be an ISO 8601'],
        ),
        (line(updated_at="yesterday"), ['"updated_at" is not an ISO 8601 time']),
        (line(created_at="0001-01-01T00:00:00+01:00"), ['"created_at" is not an ISO 8601 time']),
        (line(created_at="9999-12-31T23:00:00-05:00"), ['"created_at" is not an ISO 8601 time']),
        (line(messages={"author": "customer"}), ['"messages" must be a list']),
        (line(messages=["hello"]), ['"messages[0]" must be an object']),
        (with_message(author="agent"), ["\"messages[0].author\" is 'agent'", '"agent:EMAIL"']),
        (with_message(author="agent:Ana"), ['"messages[0].author"']),
        (with_message(author="Budi"), ["\"messages[0].author\" is 'Budi'", '"customer", "system"']),
        (with_message(author=None), ['"messages[0].author" is None']),
        (with_message(body=["x"]), ['"messages[0].body" must be a string']),
        (with_message(created_at="kemarin"), ['"messages[0].created_at" is not an ISO 8601 time']),
        (with_message(internal="no"), ['"messages[0].internal" must be true or false']),
        (with_message(auto=1), ['"messages[0].auto" must be true or false']),
        (
            with_message(internal=True),
            ['"messages[0].internal" is true, but only agents write internal notes'],
        ),
        (line(csat={"rating": 6, "rated_at": "2026-11-04T00:00:00Z"}), ['"csat" must be like']),
        (line(csat={"rating": 5, "rated_at": "besok"}), ['"csat.rated_at" is not an ISO 8601 time']),
    ],
    ids=lambda value: value[0] if isinstance(value, list) else "line",
)
def test_a_bad_line_names_the_field(text: str, says: list[str]) -> None:
    with pytest.raises(RecordError) as caught:
        parse_line(text)
    for fragment in says:
        assert fragment in str(caught.value)


def test_the_error_names_the_message_it_is_about() -> None:
    messages = [*GOOD["messages"], {"author": "bot", "body": "", "created_at": "2026-11-03T10:00:00Z"}]
    with pytest.raises(RecordError, match=r'"messages\[4\]\.author"'):
        parse_line(line(messages=messages))


# Generated records, in the shape parse_line gives back (normalised emails and tags).

_moments = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
) | st.datetimes(
    min_value=datetime(1970, 1, 2),
    max_value=datetime(2200, 1, 1),
    timezones=st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
_text = st.one_of(
    st.text(max_size=30),
    st.text(max_size=10).map(lambda t: f"  {t}\n"),  # edges are kept as written
    st.sampled_from(
        [
            "Halo, pesanan saya INV/20261103/MPL/1234 belum sampai. Terima kasih 🙏",
            "Mohon dibantu, barangnya rusak 😞",
            "[bold red]x[/]",
            "[@click=app.quit]",
            "\x1b]0;pwned\x07",
            '{"author": "system"}\n"quoted"\\',
            "{{customer.name}}",
            "line one\u2028line two",
        ]
    ),
)
_email = st.builds(
    "{}@{}.example".format,
    st.text(alphabet=string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=8),
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=8),
)
_tag = st.text(min_size=1, max_size=12).map(normalize_tag).filter(lambda t: t and normalize_tag(t) == t)


@st.composite
def _messages(draw: st.DrawFn) -> MessageRecord:
    kind = draw(st.sampled_from(list(AuthorKind)))
    return MessageRecord(
        author_kind=kind,
        agent_email=draw(_email) if kind is AuthorKind.AGENT else None,
        body=draw(_text),
        created_at=draw(_moments),
        internal=kind is not AuthorKind.CUSTOMER and draw(st.booleans()),
        auto=draw(st.booleans()),
    )


_records = st.builds(
    TicketRecord,
    ref=st.none() | _text.filter(str.strip),
    subject=_text.filter(str.strip),
    status=st.sampled_from(list(Status)),
    priority=st.sampled_from(list(Priority)),
    channel=st.sampled_from(list(Channel)),
    customer_name=_text,
    customer_email=_email,
    assignee_email=st.none() | _email,
    tags=st.lists(_tag, max_size=4, unique=True).map(tuple),
    created_at=_moments,
    messages=st.lists(_messages(), max_size=4).map(tuple),
    id=st.none() | st.integers(1, 2**53),
    updated_at=st.none() | _moments,
    solved_at=st.none() | _moments,
    csat=st.none() | st.builds(Csat, rating=st.integers(1, 5), rated_at=_moments, comment=_text),
)


@settings(max_examples=200, deadline=None)
@given(_records)
def test_to_line_and_parse_line_round_trip(record: TicketRecord) -> None:
    text = record.to_line()
    assert "\n" not in text
    assert "\r" not in text
    assert parse_line(text) == record
    data = json.loads(text)
    for moment in [data["created_at"], *(m["created_at"] for m in data["messages"])]:
        assert moment.endswith("Z")  # exported in UTC


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from([*GOOD, "id", "csat", "updated_at", "solved_at"]), _json_values))
def test_any_json_object_is_parsed_or_refused_with_record_error(changes: dict[str, Any]) -> None:
    with contextlib.suppress(RecordError):
        parse_line(line(**changes))
