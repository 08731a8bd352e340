"""Demo tickets: an online shop's last 30 days of conversations, the same for the same seed.

Statuses follow age the way a working queue does: today's tickets are mostly
new or in progress, last month's are solved and closed. First responses come
sooner for urgent tickets than for low ones, with a long tail that breaches
the SLA now and then.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from cs_tui.demo import phrases
from cs_tui.demo.people import (
    AGENT_WEIGHTS,
    DEMO_AGENTS,
    INDONESIAN_FIRST,
    INDONESIAN_LAST,
    INDONESIAN_SINGLE,
    MAIL_DOMAINS,
    OTHER_NAMES,
)
from cs_tui.demo.topics import Lines
from cs_tui.demo.topics_orders import ORDER_TOPICS
from cs_tui.demo.topics_others import OTHER_TOPICS
from cs_tui.domain.models import AuthorKind, Channel, Csat, Priority, Status, first_name_of
from cs_tui.domain.records import MessageRecord, TicketRecord
from cs_tui.domain.timeutil import utcnow

SPAN = timedelta(days=30)
LONG_THREAD_EVERY = 200
"""One ticket in this many is a long back-and-forth of LONG_THREAD_LENGTH messages."""
LONG_THREAD_LENGTH = (52, 80)

T = TypeVar("T")

HOUR = 3600.0
MINUTE = 60.0
DAY = 24 * HOUR

# Tickets per hour of the day in Jakarta (UTC+7): quiet at night, busy from
# mid-morning to late evening.
_WIB_HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 9, 10, 11, 11, 10, 9, 9, 10, 11, 9, 6, 3)
_WIB_OFFSET_HOURS = 7

_PRIORITIES = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
_FIRST_RESPONSE_MEDIAN = {
    Priority.URGENT: 15 * MINUTE,
    Priority.HIGH: 40 * MINUTE,
    Priority.NORMAL: 2 * HOUR,
    Priority.LOW: 5 * HOUR,
}
_CHANNELS = (Channel.EMAIL, Channel.CHAT, Channel.WEB, Channel.WHATSAPP, Channel.SOCIAL, Channel.PHONE)
_CHANNEL_WEIGHTS = (30, 20, 15, 20, 8, 7)
_ACKNOWLEDGED = {Channel.EMAIL, Channel.WEB}

# Status by the ticket's age: (new, open, pending, on_hold, solved, closed). A
# team that keeps up: today's tickets are in progress, hardly any older than the
# resolution targets is still open, and solved tickets close after a few days.
_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED)
_STATUS_WEIGHTS_BY_AGE = (
    (6 * HOUR, (45, 27, 8, 2, 18, 0)),
    (1 * DAY, (4, 38, 20, 7, 31, 0)),
    (2 * DAY, (1, 15, 15, 7, 62, 0)),
    (5 * DAY, (0.1, 1.5, 2, 1, 85, 10.4)),
    (math.inf, (0.01, 0.1, 0.2, 0.15, 18, 81.5)),
)
_CSAT_RATINGS = (5, 4, 3, 2, 1)
_CSAT_WEIGHTS = (50, 25, 10, 7, 8)
_ROUNDS = (0, 1, 2, 3, 4, 5)
_ROUND_WEIGHTS = (8, 20, 28, 22, 14, 8)


class _Dice(random.Random):
    """random.Random with the two draws the generator makes a million times, made cheap."""

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def weighted(self, items: Sequence[T], cumulative: Sequence[float]) -> T:
        return items[bisect.bisect(cumulative, self.random() * cumulative[-1])]


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    return tuple(itertools.accumulate(weights))


TOPICS = ORDER_TOPICS + OTHER_TOPICS
_TOPIC_CUMULATIVE = _cumulative([topic.weight for topic in TOPICS])
_PRIORITY_CUMULATIVE = {topic.name: _cumulative(topic.priority_weights) for topic in TOPICS}
_CHANNEL_CUMULATIVE = _cumulative(_CHANNEL_WEIGHTS)
_AGENT_CUMULATIVE = _cumulative(AGENT_WEIGHTS)
_CSAT_CUMULATIVE = _cumulative(_CSAT_WEIGHTS)
_ROUND_CUMULATIVE = _cumulative(_ROUND_WEIGHTS)
_STATUS_BY_AGE = tuple((limit, _cumulative(weights)) for limit, weights in _STATUS_WEIGHTS_BY_AGE)


@dataclass(frozen=True, slots=True)
class _Customer:
    name: str
    email: str
    language: str


def generate_tickets(count: int, *, seed: int = 1, now: datetime | None = None) -> Iterator[TicketRecord]:
    """`count` tickets created over the 30 days before `now`, refs shop-000001 on."""
    now = now or utcnow()
    rng = _Dice(seed)
    customers = _customers(rng, max(20, count * 2 // 5))
    writer = _Writer(rng, now)
    # Sorted, so that ticket numbers grow with time as in any helpdesk.
    moments = sorted(writer.created_at() for _ in range(count))
    for number, created_at in enumerate(moments):
        customer = customers[int(len(customers) * rng.random() ** 1.6)]
        yield writer.ticket(number, customer, created_at)


def _customers(rng: _Dice, count: int) -> list[_Customer]:
    people: list[_Customer] = []
    taken: set[str] = set()
    for number in range(count):
        roll = rng.random()
        if roll < 0.78:
            name = f"{rng.pick(INDONESIAN_FIRST)} {rng.pick(INDONESIAN_LAST)}"
            language = "id" if rng.random() < 0.8 else "en"
        elif roll < 0.88:
            name = rng.pick(INDONESIAN_SINGLE)
            language = "id"
        else:
            name = rng.pick(OTHER_NAMES)
            language = "en" if rng.random() < 0.92 else "id"
        local = _mailbox(name)
        if local in taken or rng.random() < 0.5:
            local = f"{local}{number % 997}"
        while local in taken:
            local = f"{local}{rng.randrange(10)}"
        taken.add(local)
        people.append(_Customer(name, f"{local}@{rng.pick(MAIL_DOMAINS)}", language))
    return people


def _mailbox(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = ["".join(c for c in word if c.isalnum()) for word in ascii_name.split()]
    return ".".join(word for word in words if word)


class _Writer:
    """Writes one ticket's conversation at a time, drawing every choice from one seeded RNG."""

    def __init__(self, rng: _Dice, now: datetime) -> None:
        self.rng = rng
        self.now = now
        self.start = now - SPAN
        self.agent_emails = [agent.email for agent in DEMO_AGENTS]
        self.agent_names = {agent.email: first_name_of(agent.name) for agent in DEMO_AGENTS}
        self.peak = max(_WIB_HOUR_WEIGHTS)

    def ticket(self, number: int, customer: _Customer, created_at: datetime) -> TicketRecord:
        rng = self.rng
        age = (self.now - created_at).total_seconds()
        topic = rng.weighted(TOPICS, _TOPIC_CUMULATIVE)
        lines = topic.id if customer.language == "id" else topic.en
        status = _status_for_age(rng, age)
        priority = rng.weighted(_PRIORITIES, _PRIORITY_CUMULATIVE[topic.name])
        channel = rng.weighted(_CHANNELS, _CHANNEL_CUMULATIVE)
        assignee: str | None = rng.weighted(self.agent_emails, _AGENT_CUMULATIVE)
        if (status is Status.NEW and rng.random() < 0.75) or rng.random() < 0.03:
            assignee = None
        replier = assignee or rng.weighted(self.agent_emails, _AGENT_CUMULATIVE)
        values = self._values(customer, replier, created_at)
        conversation = _Conversation(rng, customer.language, lines, values, channel)
        long_thread = number % LONG_THREAD_EVERY == LONG_THREAD_EVERY // 2
        if long_thread and status is Status.NEW:
            status = Status.OPEN
        conversation.write(status, priority, long_thread, other_agent=self._other_agent(replier))
        offsets = _fit(conversation.offsets, available=age - MINUTE, rng=rng)
        messages = tuple(
            MessageRecord(
                author_kind=kind,
                agent_email=replier if kind is AuthorKind.AGENT and email is None else email,
                body=body,
                created_at=created_at + timedelta(seconds=round(offset)),
                internal=internal,
                auto=auto,
            )
            for (kind, email, body, internal, auto), offset in zip(
                conversation.messages, offsets, strict=True
            )
        )
        solved_at = messages[-1].created_at if not status.is_active else None
        subject = rng.pick(lines.subjects).format_map(values)
        if rng.random() < 0.03:
            subject = ("[PENTING] " if customer.language == "id" else "[URGENT] ") + subject
        tags = topic.tags + ((rng.pick(phrases.EXTRA_TAGS),) if rng.random() < 0.15 else ())
        return TicketRecord(
            ref=f"shop-{number + 1:06d}",
            subject=subject,
            status=status,
            priority=priority,
            channel=channel,
            customer_name=customer.name,
            customer_email=customer.email,
            assignee_email=assignee,
            tags=tags,
            created_at=created_at,
            messages=messages,
            solved_at=solved_at,
            csat=self._csat(customer.language, solved_at) if solved_at and rng.random() < 0.3 else None,
        )

    def created_at(self) -> datetime:
        # Uniform over the 30 days, thinned by the hour of day in Jakarta.
        rng = self.rng
        while True:
            offset = rng.random() * SPAN.total_seconds()
            moment = self.start + timedelta(seconds=offset)
            wib_hour = (moment.hour + _WIB_OFFSET_HOURS) % 24
            if rng.random() * self.peak < _WIB_HOUR_WEIGHTS[wib_hour]:
                return moment.replace(microsecond=0)

    def _values(self, customer: _Customer, agent_email: str, created_at: datetime) -> dict[str, str]:
        rng = self.rng
        courier = rng.pick(phrases.COURIERS)
        return {
            "first": first_name_of(customer.name),
            "agent": self.agent_names[agent_email],
            "order": f"TN{created_at:%y%m%d}{rng.randrange(1000, 10000)}",
            "item": rng.pick(phrases.ITEMS),
            "courier": courier,
            "awb": f"{courier[:2].upper().replace('&', 'T')}{rng.randrange(10**9, 10**10)}",
            "amount": "Rp " + f"{rng.randrange(25, 2500) * 1000:,}".replace(",", "."),
            "pay": rng.pick(phrases.PAYMENTS),
            "code": rng.pick(phrases.VOUCHERS),
            "days": str(rng.randrange(2, 9)),
        }

    def _other_agent(self, email: str) -> str:
        others = [e for e in self.agent_emails if e != email]
        return self.rng.pick(others)

    def _csat(self, language: str, solved_at: datetime) -> Csat | None:
        """The customer's rating, some minutes to a day after the solve; None while that
        time is still to come (had it come now, every such rating would fall at once)."""
        rng = self.rng
        rating = rng.weighted(_CSAT_RATINGS, _CSAT_CUMULATIVE)
        comments = phrases.CSAT_COMMENTS[language]
        comment = comments[{5: 0, 4: 1, 3: 2}.get(rating, 3)] if rng.random() < 0.6 else ""
        rated_at = solved_at + timedelta(seconds=rng.uniform(10 * MINUTE, DAY))
        if rated_at > self.now:
            return None
        return Csat(rating=rating, rated_at=rated_at.replace(microsecond=0), comment=comment)


# kind, agent email (None: the ticket's replier), body, internal, auto
_Line = tuple[AuthorKind, str | None, str, bool, bool]


class _Conversation:
    """A ticket's messages with their offsets in seconds from its creation."""

    def __init__(
        self, rng: _Dice, language: str, lines: Lines, values: dict[str, str], channel: Channel
    ) -> None:
        self.rng = rng
        self.language = language
        self.lines = lines
        self.values = values
        self.channel = channel
        self.messages: list[_Line] = []
        self.offsets: list[float] = []
        self.clock = 0.0
        self.turns: dict[int, int] = {}
        # The topic's follow-ups, and the ones any conversation has.
        self.customer_more = lines.customer_more + phrases.CUSTOMER_MORE[language]
        self.agent_more = lines.agent_more + phrases.AGENT_MORE[language]

    def write(self, status: Status, priority: Priority, long_thread: bool, *, other_agent: str) -> None:
        rng, lines, language = self.rng, self.lines, self.language
        self._customer(rng.pick(lines.openings), after=0)
        if self.channel in _ACKNOWLEDGED and rng.random() < 0.7:
            self._add(AuthorKind.SYSTEM, None, phrases.AUTO_ACK[language], rng.uniform(2, 40), auto=True)
        if status is Status.NEW:
            if rng.random() < 0.2:
                self._customer(self._next(self.customer_more), after=rng.uniform(20 * MINUTE, 6 * HOUR))
            return
        median = _FIRST_RESPONSE_MEDIAN[priority]
        self._reply(rng.pick(lines.first_replies), after=median * math.exp(rng.gauss(0, 0.8)))
        # A long thread stops a round early enough that its ending keeps it within
        # LONG_THREAD_LENGTH; a round adds at most three messages, an ending two.
        length = rng.randint(*LONG_THREAD_LENGTH) - 2 if long_thread else 0
        rounds = 10**6 if long_thread else rng.weighted(_ROUNDS, _ROUND_CUMULATIVE)
        for _ in range(rounds):
            if long_thread and len(self.messages) > length - 3:
                break
            self._customer(self._next(self.customer_more), after=rng.uniform(5 * MINUTE, 8 * HOUR))
            if rng.random() < 0.2:
                note = self._next(lines.notes)
                author = other_agent if rng.random() < 0.3 else None
                self._add(AuthorKind.AGENT, author, note, rng.uniform(MINUTE, 30 * MINUTE), internal=True)
            self._reply(self._next(self.agent_more), after=median * math.exp(rng.gauss(-0.5, 0.7)))
        self._ending(status)

    def _next(self, lines: tuple[str, ...]) -> str:
        """The lines of a pool in turn from a random start, so a conversation does not
        repeat itself until it has said everything once."""
        turn = self.turns.get(id(lines))
        if turn is None:
            turn = int(self.rng.random() * len(lines))
        self.turns[id(lines)] = turn + 1
        return lines[turn % len(lines)]

    def _ending(self, status: Status) -> None:
        rng, language = self.rng, self.language
        if status is Status.OPEN:
            self._customer(self._next(self.customer_more), after=rng.uniform(5 * MINUTE, 4 * HOUR))
        elif status is Status.PENDING:
            self._reply(rng.pick(phrases.PENDING_ASKS[language]), after=rng.uniform(MINUTE, HOUR))
        elif status is Status.ON_HOLD:
            self._add(
                AuthorKind.AGENT, None, rng.pick(phrases.HOLD_NOTES[language]), MINUTE * 3, internal=True
            )
            self._reply(rng.pick(phrases.HOLD_REPLIES[language]), after=rng.uniform(MINUTE, 10 * MINUTE))
        else:
            if rng.random() < 0.7:
                self._customer(rng.pick(phrases.THANKS[language]), after=rng.uniform(10 * MINUTE, DAY))
            self._reply(rng.pick(phrases.CLOSINGS[language]), after=rng.uniform(2 * MINUTE, 2 * HOUR))

    def _customer(self, line: str, *, after: float) -> None:
        self._add(AuthorKind.CUSTOMER, None, line, after)

    def _reply(self, line: str, *, after: float) -> None:
        body = line
        if self.channel is Channel.EMAIL:
            body += phrases.SIGNATURES[self.language]
        self._add(AuthorKind.AGENT, None, body, after)

    def _add(
        self,
        kind: AuthorKind,
        agent_email: str | None,
        line: str,
        after: float,
        *,
        internal: bool = False,
        auto: bool = False,
    ) -> None:
        self.clock += after
        self.messages.append((kind, agent_email, line.format_map(self.values), internal, auto))
        self.offsets.append(self.clock)


def _status_for_age(rng: _Dice, age: float) -> Status:
    for limit, cumulative in _STATUS_BY_AGE:
        if age < limit:
            return rng.weighted(_STATUSES, cumulative)
    raise AssertionError("the last age band is unbounded")


def _fit(offsets: Sequence[float], *, available: float, rng: _Dice) -> list[float]:
    """Squeeze a conversation that would run past now into the time the ticket has had,
    ending anywhere in its second half: had they all ended a minute ago, the last hour
    would hold every young ticket's answers and solves."""
    last = offsets[-1]
    if last <= available or last <= 0:
        return list(offsets)
    scale = max(available, 0.0) * (0.5 + rng.random() / 2) / last
    return [offset * scale for offset in offsets]
