"""The customer-service window at its edges, as the conversation's header says it:
WhatsApp's 24 hours then templates only; Messenger's and Instagram's 24 hours, then
7 days with the human agent tag, then nothing; no window on the other channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cs_tui.domain.reply_windows import reply_window

LAST = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(**after: float) -> datetime:
    return LAST + timedelta(**after)


def test_whatsapp_is_open_a_minute_before_24_hours_and_says_how_long_is_left() -> None:
    window = reply_window("whatsapp", LAST, at(hours=23, minutes=59))
    assert window.open
    assert not window.needs_human_agent_tag
    assert window.closes_at == at(hours=24)
    assert window.left == timedelta(minutes=1)
    assert window.says() == "window open, 1m left"
    assert reply_window("whatsapp", LAST, at(hours=20, minutes=48)).says() == "window open, 3h 12m left"


def test_whatsapp_is_closed_a_minute_after_24_hours_and_only_a_template_can_go_out() -> None:
    window = reply_window("whatsapp", LAST, at(hours=24, minutes=1))
    assert not window.open
    assert window.left == timedelta(0)
    assert window.says() == "24-hour window closed 1 minute ago: only an approved template can go out"
    later = reply_window("whatsapp", LAST, at(days=3, hours=1))
    assert later.says() == "24-hour window closed 2 days ago: only an approved template can go out"


def test_whatsapp_closes_at_exactly_24_hours() -> None:
    assert not reply_window("whatsapp", LAST, at(hours=24)).open


@pytest.mark.parametrize("kind", ["messenger", "instagram"])
def test_messenger_and_instagram_after_24_hours_need_the_human_agent_tag(kind: str) -> None:
    within = reply_window(kind, LAST, at(hours=23, minutes=59))
    assert within.open
    assert not within.needs_human_agent_tag
    window = reply_window(kind, LAST, at(days=3))
    assert window.open
    assert window.needs_human_agent_tag
    assert window.closes_at == at(days=7)
    assert window.left == timedelta(days=4)
    assert window.says() == "24-hour window closed: a reply goes with the human agent tag, 4d 0h left"


@pytest.mark.parametrize("kind", ["messenger", "instagram"])
def test_messenger_and_instagram_are_closed_after_7_days(kind: str) -> None:
    window = reply_window(kind, LAST, at(days=8))
    assert not window.open
    assert not window.needs_human_agent_tag
    assert (
        window.says() == "7-day window closed 1 day ago: nothing can go out until the customer writes again"
    )
    assert reply_window(kind, LAST, at(days=6, hours=23, minutes=59)).open


def test_a_customer_who_never_wrote_opened_no_window() -> None:
    window = reply_window("whatsapp", None, at())
    assert not window.open
    assert window.says() == "the customer has not written on WhatsApp: only an approved template can go out"


@pytest.mark.parametrize("kind", ["email", "chat", "form", "sms"])
def test_other_channels_have_no_window(kind: str) -> None:
    window = reply_window(kind, LAST, at(days=400))
    assert window.open
    assert window.closes_at is None
    assert not window.needs_human_agent_tag
    assert window.says() == "no reply window: a reply can go out any time"
