"""Reading an import file: every bad line is said with its number and never stops the
others; a repeat names the line it repeats; times that cannot be are settled, each
with a note."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_tui.domain.importing import ReadLine, Repeats, read_lines, settled
from cs_tui.domain.models import AuthorKind, Channel, Csat, Priority, Status
from cs_tui.domain.records import MessageRecord, RecordError, TicketRecord, parse_line

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
CREATED = datetime(2026, 11, 3, 9, 15, tzinfo=UTC)
HOUR = timedelta(hours=1)


def line(**fields: Any) -> str:
    ticket: dict[str, Any] = {
        "ref": "zd-1",
        "subject": "Paket belum sampai",
        "status": "open",
        "customer": {"name": "Budi", "email": "budi@example.com"},
        "created_at": "2026-11-03T09:15:00Z",
        "messages": [{"author": "customer", "body": "Halo", "created_at": "2026-11-03T09:15:00Z"}],
    }
    ticket.update(fields)
    return json.dumps(ticket)


def read(data: bytes, **options: int) -> list[ReadLine]:
    return list(read_lines(io.BytesIO(data).readline, **options))


def test_each_bad_line_is_said_with_its_number_and_the_others_are_read() -> None:
    not_utf8 = line(ref="bad-X").encode().replace(b"bad-X", b"bad-\xff")
    lines = [
        line(ref="ok-1").encode(),
        b"[" * 1000 + b"]" * 1000,
        not_utf8,
        b"",
        b'{"ref": ' + b"9" * 5000 + b"}",
        line(ref="ok-6").encode(),
    ]
    read_back = read(b"\n".join(lines) + b"\n")

    assert [(each.number, each.record.ref if each.record else None) for each in read_back] == [
        (1, "ok-1"),
        (2, None),
        (3, None),
        (5, None),
        (6, "ok-6"),
    ]
    errors = {each.number: each.error or "" for each in read_back}
    assert "the nesting is 1,000 levels; the limit is 32" in errors[2]
    assert f"not UTF-8 text: byte 0xff at byte {not_utf8.index(0xFF) + 1} of the line" in errors[3]
    assert errors[5].startswith("not valid JSON")


def test_nesting_is_measured_without_recursion() -> None:
    deep = '{"ref": "x", "tags": ' + "[" * 200_000 + "]" * 200_000 + "}"
    with pytest.raises(RecordError, match="the nesting is 200,001 levels; the limit is 32"):
        parse_line(deep)


def test_brackets_inside_texts_are_not_nesting() -> None:
    body = "[" * 100 + ' "quoted \\" [[[ ' + "{" * 100
    record = parse_line(
        line(subject="[bold]" * 50, messages=[{**json.loads(line())["messages"][0], "body": body}])
    )
    assert record.messages[0].body == body


def test_a_line_past_the_limit_is_refused_by_its_length_and_the_next_is_read() -> None:
    too_long = b'{"subject": "' + b"x" * 400 + b'"}'
    assert len(line()) < 300
    read_back = read(too_long + b"\r\n" + line().encode() + b"\n", line_limit=300)
    assert read_back[0].number == 1
    assert read_back[0].error is not None
    assert read_back[0].error.startswith(f"the line is {len(too_long)} bytes; the limit is 300")
    assert read_back[1].number == 2
    assert read_back[1].record is not None


def test_a_byte_order_mark_is_not_part_of_the_line() -> None:
    [first, second] = read(b"\xef\xbb\xbf" + line().encode() + b"\n\xef\xbb\xbf" + line(ref="zd-2").encode())
    assert first.record is not None
    assert second.record is not None
    assert second.record.ref == "zd-2"


def test_a_json_error_reads_as_a_sentence() -> None:
    [broken] = read(b'{"subject": "never closed\n')
    assert broken.error == "not valid JSON: Unterminated string starting at column 13"


def test_an_unknown_field_is_left_out_with_a_note_naming_the_field_it_may_be() -> None:
    messages = [
        {"author": "customer", "body": "Halo", "created_at": "2026-11-03T09:15:00Z", "via": "mail"},
        {"author": "customer", "bdy": "Halo lagi", "created_at": "2026-11-03T09:20:00Z", "via": "mail"},
    ]
    [read_back] = read(
        line(stauts="solved", customer={"email": "b@example.com", "nmae": "B"}, messages=messages).encode()
    )
    assert read_back.record is not None
    assert read_back.record.status is Status.OPEN
    assert read_back.warnings == (
        '"stauts" is not a field of the import format and was left out; did you mean "status"?',
        '"customer.nmae" is not a field of the import format and was left out; did you mean "customer.name"?',
        '"messages[0].via" (and in 1 more messages) is not a field of the import format and was left out',
        '"messages[1].bdy" is not a field of the import format and was left out; '
        'did you mean "messages[1].body"?',
    )


def test_a_bad_line_keeps_its_notes_so_a_typo_explains_the_refusal() -> None:
    [read_back] = read(line(subject=None, subjcet="Paket").encode())
    assert read_back.error == '"subject" is missing or empty'
    assert read_back.warnings == (
        '"subjcet" is not a field of the import format and was left out; did you mean "subject"?',
    )


def test_half_a_surrogate_pair_is_mended_with_a_note() -> None:
    notes: list[str] = []
    record = parse_line(line(subject="Paket \ud83d rusak"), notes)
    assert record.subject == "Paket \ufffd rusak"
    assert notes == ["a broken character (half of a UTF-16 pair, as \\ud83d) kept as \ufffd"]
    paired: list[str] = []
    assert parse_line(line(subject="Paket \U0001f600"), paired).subject == "Paket \U0001f600"
    assert paired == []


def test_an_id_must_be_a_whole_number() -> None:
    with pytest.raises(RecordError, match='"id" must be an integer'):
        parse_line(line(id=True))
    assert parse_line(line(id=1042)).id == 1042


def record(
    created_at: datetime = CREATED,
    messages: tuple[datetime, ...] = (CREATED,),
    **fields: Any,
) -> TicketRecord:
    thread = tuple(
        MessageRecord(
            author_kind=AuthorKind.AGENT if n else AuthorKind.CUSTOMER,
            agent_email="ana@tokoku.example" if n else None,
            body=f"pesan {n}",
            created_at=at,
        )
        for n, at in enumerate(messages)
    )
    return TicketRecord(
        ref="zd-1",
        subject="Paket",
        status=fields.pop("status", Status.OPEN),
        priority=Priority.NORMAL,
        channel=Channel.EMAIL,
        customer_name="Budi",
        customer_email="budi@example.com",
        assignee_email=None,
        tags=(),
        created_at=created_at,
        messages=thread,
        **fields,
    )


def test_times_that_can_be_are_kept_as_they_are() -> None:
    given_record = record(
        messages=(CREATED, CREATED + HOUR),
        status=Status.SOLVED,
        solved_at=CREATED + 2 * HOUR,
        updated_at=CREATED + 3 * HOUR,
        csat=Csat(5, CREATED + 4 * HOUR),
    )
    assert settled(given_record, NOW) == (given_record, [])


def test_a_reply_before_its_ticket_is_dated_at_the_ticket_and_said() -> None:
    moved, notes = settled(record(messages=(CREATED, CREATED - 24 * HOUR)), NOW)
    assert [m.created_at for m in moved.messages] == [CREATED, CREATED]
    assert notes == [
        '"messages[1].created_at" 2026-11-02T09:15:00Z is before the ticket was created; '
        "taken as 2026-11-03T09:15:00Z, its creation"
    ]


def test_solved_before_created_is_taken_as_the_last_message() -> None:
    moved, notes = settled(
        record(messages=(CREATED, CREATED + HOUR), status=Status.SOLVED, solved_at=CREATED - HOUR), NOW
    )
    assert moved.solved_at == CREATED + HOUR
    assert notes == [
        '"solved_at" 2026-11-03T08:15:00Z is before the ticket was created; '
        "taken as 2026-11-03T10:15:00Z, its last message"
    ]


def test_a_ticket_from_the_future_is_dated_at_its_first_message_or_the_import() -> None:
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    moved, notes = settled(record(created_at=far, messages=(CREATED, far)), NOW)
    assert moved.created_at == CREATED
    assert [m.created_at for m in moved.messages] == [CREATED, NOW]
    assert notes == [
        '"created_at" 9999-12-31T23:59:00Z is in the future; '
        "taken as 2026-11-03T09:15:00Z, its first message",
        '"messages[1].created_at" 9999-12-31T23:59:00Z is in the future; '
        "taken as 2026-12-03T09:00:00Z, the import",
    ]
    alone, said = settled(record(created_at=far, messages=(), updated_at=far), NOW)
    assert (alone.created_at, alone.updated_at) == (NOW, NOW)
    assert len(said) == 2


def test_many_messages_out_of_time_are_said_once() -> None:
    early = tuple(CREATED - n * HOUR for n in range(1, 6))
    _, notes = settled(record(messages=(CREATED, *early)), NOW)
    assert notes == [
        '5 messages ("messages[1].created_at" 2026-11-03T08:15:00Z and 4 more) are before the ticket '
        "was created; taken as 2026-11-03T09:15:00Z, its creation"
    ]


times = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC))


@given(
    created_at=times,
    messages=st.lists(times, max_size=5),
    solved_at=st.none() | times,
    updated_at=st.none() | times,
    rated_at=st.none() | times,
    status=st.sampled_from(Status),
)
def test_settled_times_can_be_whatever_was_given(
    created_at: datetime,
    messages: list[datetime],
    solved_at: datetime | None,
    updated_at: datetime | None,
    rated_at: datetime | None,
    status: Status,
) -> None:
    given_record = record(
        created_at=created_at,
        messages=tuple(messages),
        status=status,
        solved_at=solved_at,
        updated_at=updated_at,
        csat=Csat(3, rated_at) if rated_at else None,
    )
    moved, notes = settled(given_record, NOW)
    created = moved.created_at
    assert created <= NOW
    assert all(created <= m.created_at <= NOW for m in moved.messages)
    if not status.is_active and moved.solved_at is not None:
        assert created <= moved.solved_at <= NOW
    if moved.updated_at is not None:
        assert created <= moved.updated_at <= NOW
    if moved.csat is not None:
        assert created <= moved.csat.rated_at <= NOW
    assert (moved == given_record) == (notes == [])


def test_a_repeat_names_the_line_it_repeats() -> None:
    repeats = Repeats()
    first, again, other = record(), record(), replace(record(), ref="zd-2")
    assert repeats.of(first, 3) is None
    assert repeats.of(other, 4) is None
    assert repeats.of(again, 9) == "\"ref\" 'zd-1' repeats line 3 of this file; only line 3 is imported"
    assert repeats.of(first, 3) is None  # the same line, read again, is no repeat


def test_a_ticket_without_a_ref_repeats_one_with_the_same_customer_time_subject_and_message() -> None:
    repeats = Repeats()
    unnamed = replace(record(), ref=None)
    assert repeats.of(unnamed, 1) is None
    said = repeats.of(unnamed, 2)
    assert said is not None
    assert said.startswith("the same ticket as line 1 of this file")
