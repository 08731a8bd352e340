"""One mailbox at work: its intake thread (imap.py) and its delivery (delivery.py),
started and stopped together by the channel runner; and a raw mail taken in by hand
(an import, a retry from the quarantine)."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from cs_tui.channels.email.delivery import MailDelivery
from cs_tui.channels.email.imap import MailIntake, Report
from cs_tui.channels.email.inbound import inbound_from_mail
from cs_tui.channels.email.settings import MailboxSettings
from cs_tui.domain.channels import ChannelInfo, TakenIn
from cs_tui.store.base import ChannelStore


async def work_mailbox(
    store: ChannelStore, info: ChannelInfo, *, wake: asyncio.Event, report: Report
) -> None:
    """Takes mail in and sends replies until cancelled. Raises SettingsError for
    settings that cannot work."""
    settings = MailboxSettings.from_dict(info.settings)
    loop = asyncio.get_running_loop()
    intake = MailIntake(store, info.name, settings, loop=loop, report=report, set_up_at=info.created_at)
    stop = threading.Event()
    ended: asyncio.Future[None] = loop.create_future()

    def end(error: BaseException | None) -> None:
        if ended.done():
            return
        if error is None:
            ended.set_result(None)
        else:
            ended.set_exception(error)

    def take_mail_in() -> None:
        failed: BaseException | None = None
        try:
            intake.run(stop)
        except BaseException as error:
            failed = error
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(end, failed)

    # A daemon thread: a process that exits while the server is slow to answer does
    # not wait for it.
    threading.Thread(target=take_mail_in, name=f"cs-tui mail {info.name}", daemon=True).start()
    try:
        await asyncio.gather(ended, MailDelivery(store, info.name, settings).run(wake))
    finally:
        stop.set()


async def take_mail(
    store: ChannelStore,
    name: str,
    settings: MailboxSettings,
    raw: bytes,
    *,
    dated: bool = False,
) -> TakenIn:
    """One raw mail taken in outside the mailbox's own intake (an import, a retry
    from the quarantine), read as intake reads it. Never acknowledged: the sender
    wrote long ago. Raises what reading or storing raised."""
    inbound = await asyncio.to_thread(
        inbound_from_mail,
        raw,
        mailbox_address=settings.address,
        max_mail_bytes=settings.max_mail_bytes,
        dated=dated,
    )
    return await store.take_in(name, inbound, cursor=None)
