"""A customer's mail joins the ticket it answers, and only that one."""

from __future__ import annotations

import pytest

from cs_tui.domain.models import Status
from cs_tui.domain.threads import Thread, bare_subject, subject_tag, thread_of

TICKETS = {
    12: (Status.OPEN, "Pesanan belum sampai"),
    13: (Status.SOLVED, "Refund kaos"),
    14: (Status.CLOSED, "Tukar ukuran"),
}
MESSAGES = {"in-12@mail.example": 12, "sent-12@tokoku.example": 12, "sent-13@tokoku.example": 13,
            "sent-14@tokoku.example": 14}  # fmt: skip


def thread(subject: str, in_reply_to: tuple[str, ...] = (), references: tuple[str, ...] = ()) -> Thread:
    return thread_of(
        in_reply_to=in_reply_to,
        references=references,
        subject=subject,
        ticket_of_message=MESSAGES.get,
        ticket=TICKETS.get,
    )


def test_a_reply_joins_by_in_reply_to_any_message_the_ticket_has() -> None:
    assert thread("Re: Pesanan belum sampai", ("sent-12@tokoku.example",)) == Thread(12)
    assert thread("apa kabar", ("in-12@mail.example",)) == Thread(12)  # In-Reply-To needs no subject


def test_a_references_only_match_needs_the_same_subject() -> None:
    refs = ("sent-12@tokoku.example",)
    assert thread("Balas: Pesanan belum sampai", references=refs) == Thread(12)
    assert thread("Pertanyaan baru soal diskon", references=refs) == Thread(None)


def test_the_ticket_number_in_the_subject_threads_when_the_headers_are_gone() -> None:
    assert thread(f"Re: Pesanan belum sampai {subject_tag(12)}") == Thread(12)
    assert thread("Re: [#999] tidak ada") == Thread(None)


def test_a_reply_to_a_solved_ticket_reopens_it_and_to_a_closed_one_opens_a_linked_one() -> None:
    assert thread("Re: Refund kaos", ("sent-13@tokoku.example",)) == Thread(13, reopen=True)
    assert thread("Re: Tukar ukuran", ("sent-14@tokoku.example",)) == Thread(None, linked_to=14)


def test_a_mail_that_answers_nothing_known_is_a_new_ticket() -> None:
    assert thread("Halo", ("someone-else@mail.example",), ("other@mail.example",)) == Thread(None)


@pytest.mark.parametrize(
    "subject",
    ["Re: Pesanan belum sampai", "RE: RE: Pesanan  belum sampai", "Balas: Pesanan belum sampai",
     "Fwd: Re: [#12] Pesanan belum sampai", "AW: pesanan BELUM sampai", "Re[2]: Pesanan belum sampai"],
)  # fmt: skip
def test_prefixes_and_tags_do_not_make_a_subject_another(subject: str) -> None:
    assert bare_subject(subject) == bare_subject("Pesanan belum sampai")


def test_a_ticket_number_typed_by_a_stranger_opens_a_ticket_of_their_own() -> None:
    found = thread_of(
        in_reply_to=(),
        references=(),
        subject=f"Re: Pesanan belum sampai {subject_tag(12)}",
        ticket_of_message=MESSAGES.get,
        ticket=TICKETS.get,
        sender_is_on=lambda ticket_id: False,
    )
    assert found == Thread(None)
