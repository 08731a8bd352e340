"""What the mail tests share: a Dovecot of the test's own, and a store file with the
shop's mailbox on it set up as an admin sets it up."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from cs_tui.channels.email.settings import MailboxSettings
from cs_tui.channels.runner import ChannelRunner
from cs_tui.store.sqlite import SqliteStore

from ..mailserver import Mailbox, dovecot

SHOP = "cs@tokoku.example"
PASSWORD_ENV = "TOKO_MAIL"

MailboxStore = Callable[[int], AbstractAsyncContextManager[SqliteStore]]
"""A store with the mailbox `toko` set up, sending by SMTP on the port given."""


@pytest.fixture
def served() -> Iterator[Mailbox]:
    with dovecot() as mailbox:
        yield mailbox


def settings_for(served: Mailbox, smtp_port: int) -> MailboxSettings:
    """The shop's mailbox on `served`, sending through loopback port `smtp_port`
    (the password from TOKO_MAIL)."""
    return MailboxSettings.parse(
        address=SHOP,
        imap=f"imap://{served.user}@{served.host}:{served.port}/INBOX",
        smtp=f"smtp://{served.user}@127.0.0.1:{smtp_port}",
        password_env=PASSWORD_ENV,
    )


@pytest.fixture
def mailbox_store(tmp_path: Path, served: Mailbox, monkeypatch: pytest.MonkeyPatch) -> MailboxStore:
    monkeypatch.setenv(PASSWORD_ENV, served.password)

    @asynccontextmanager
    async def opened(smtp_port: int) -> AsyncIterator[SqliteStore]:
        store = await SqliteStore.open(tmp_path / "cs-tui.db")
        await store.add_channel("toko", "email", settings_for(served, smtp_port).to_dict())
        try:
            yield store
        finally:
            await store.close()

    return opened


@asynccontextmanager
async def channels_running(store: SqliteStore) -> AsyncIterator[ChannelRunner]:
    """The store's channels at work, as `cs-tui channel run` works them, until the
    block ends."""
    runner = ChannelRunner(store, purpose="test")
    task = asyncio.create_task(runner.run())
    try:
        yield runner
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def set_up_again(store: SqliteStore, change: Callable[[MailboxSettings], MailboxSettings]) -> None:
    """The mailbox `toko` removed and set up again with changed settings, as an admin
    changes one."""
    settings = MailboxSettings.from_dict((await store.get_channel("toko")).settings)
    await store.remove_channel("toko")
    await store.add_channel("toko", "email", change(settings).to_dict())
