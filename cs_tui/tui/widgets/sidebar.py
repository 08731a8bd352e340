"""The metrics sidebar: first response time today and over 7 days, what waits for an
answer, open counts, CSAT and new tickets per hour. Same figures as `cs-tui metrics`.
Above them, on a store that runs channels, the mail its mailboxes could not read."""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Sparkline, Static

from cs_tui.domain.metrics import Metrics
from cs_tui.domain.timeutil import duration
from cs_tui.store.base import channel_store
from cs_tui.tui.format import plural
from cs_tui.tui.services import HasServices


@dataclass(frozen=True, slots=True)
class SidebarFigures:
    today: Metrics
    week: Metrics
    new_per_hour: tuple[int, ...]
    """New tickets in each of the last 24 hours, oldest first."""


def _d(seconds: float | None) -> str:
    return duration(seconds) if seconds is not None else "-"


def figures_text(figures: SidebarFigures, breaching: Style | str = "bold") -> Text:
    today, week = figures.today, figures.week
    text = Text()

    def heading(title: str) -> None:
        text.append(f"{title}\n", style="bold underline")

    def row(label: str, value: str, style: Style | str = "") -> None:
        text.append(f"{label:<15}", style="dim")
        text.append(f"{value}\n", style=style)

    heading("First response")
    row("today median", _d(today.frt.median_s))
    row("today mean", _d(today.frt.mean_s))
    row("7 days median", _d(week.frt.median_s))
    row("7 days mean", _d(week.frt.mean_s))
    row("answered", f"{today.frt.responded:,} today")
    row("awaiting", f"{today.frt.awaiting:,} today", "bold" if today.frt.awaiting else "")
    row("oldest", _d(today.frt.oldest_awaiting_s))
    text.append("\n")
    heading("Open now")
    counts = today.open
    row("new", f"{counts.new:,}")
    row("open", f"{counts.open:,}")
    row("pending", f"{counts.pending:,}")
    row("on hold", f"{counts.on_hold:,}")
    row("unassigned", f"{counts.unassigned:,}")
    row("mine", f"{counts.mine:,}")
    row("breaching SLA", f"{counts.breaching:,}", breaching if counts.breaching else "")
    text.append("\n")
    heading("Today")
    row("solved", f"{today.resolution.solved:,}")
    row("resolution", _d(today.resolution.median_s) + " median")
    csat = f"{today.csat.mean:.2f} of 5 ({today.csat.count:,})" if today.csat.mean is not None else "-"
    row("CSAT", csat)
    week_csat = f"{week.csat.mean:.2f} ({week.csat.count:,})" if week.csat.mean is not None else "-"
    row("CSAT 7 days", week_csat)
    text.append("\n")
    heading("New per hour, 24h")
    return text


def quarantine_words(count: int) -> str:
    """ "2 mails could not be read · cs-tui quarantine list" (empty for none)."""
    return f"{plural(count, 'mail')} could not be read · cs-tui quarantine list" if count else ""


class MetricsSidebar(HasServices, VerticalScroll):
    """The figures a team lead watches; refreshed on every relevant event and every 5 s."""

    DEFAULT_CSS = """
    MetricsSidebar { width: 34; padding: 0 1; background: $panel; }
    MetricsSidebar > #quarantine { display: none; color: $text-error; text-style: bold; margin: 0 0 1 0; }
    MetricsSidebar > #quarantine.-some { display: block; }
    MetricsSidebar > Sparkline { height: 3; margin: 0 0 1 0; }
    MetricsSidebar > #sparkline-scale { color: $text-muted; }
    MetricsSidebar .sidebar--breaching { color: $text-error; text-style: bold; }
    """
    COMPONENT_CLASSES = {"sidebar--breaching"}

    def compose(self) -> ComposeResult:
        yield Static("", id="quarantine")
        yield Static("Loading figures…", id="figures")
        yield Sparkline([], id="new-per-hour")
        yield Static("", id="sparkline-scale")

    def show(self, figures: SidebarFigures) -> None:
        breaching = self.get_component_rich_style("sidebar--breaching")
        self.query_one("#figures", Static).update(figures_text(figures, breaching))
        self.query_one(Sparkline).data = list(figures.new_per_hour)
        hourly = figures.new_per_hour
        peak = max(hourly) if hourly else 0
        self.query_one("#sparkline-scale", Static).update(
            f"24h ago → now · {sum(hourly):,} new, peak {peak:,}/h"
        )

    @work(exclusive=True, group="quarantine", exit_on_error=False)
    async def refresh_quarantine(self) -> None:
        """What the store's channels could not read (only a store that runs channels
        has any): read at start and when a channel's quarantine changes."""
        channels = channel_store(self.services.store)
        if channels is None:
            return
        count = len(await channels.list_quarantined())
        line = self.query_one("#quarantine", Static)
        line.update(Text(quarantine_words(count)))
        line.set_class(bool(count), "-some")
