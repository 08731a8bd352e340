"""How long a chat's visitor has waited, as the queue's SLA column says it: the
seconds while they count, then minutes, hours and minutes, and past a day days, as
every other age in the queue; never wider than the column."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_tui.domain.chat import ChatWait
from cs_tui.tui.widgets.queue_columns import layout_columns


@pytest.mark.parametrize(
    ("waited", "says"),
    [
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=3, seconds=20), "3m"),
        (timedelta(hours=1, minutes=10), "1h10m"),
        (timedelta(hours=23, minutes=59), "23h59m"),
        (timedelta(days=1, hours=5, minutes=30), "1d05h"),
        (timedelta(days=27, hours=23, minutes=50), "27d"),
        (timedelta(days=400), "400d"),
    ],
)
def test_a_chat_wait_reads_at_a_glance_and_fits_the_sla_column(waited: timedelta, says: str) -> None:
    said = ChatWait(waited, timedelta(seconds=90)).says()
    sla = next(c for c in layout_columns(200) if c.key == "sla")
    assert said == says
    assert len(said) <= sla.width
