"""What Meta's error codes mean for a reply: whether trying again can help, and why it
did not go out, in words an agent can act on. The same words serve an error the Graph
API answers at once and a WhatsApp status webhook that says a message failed later.

Codes from Meta's "WhatsApp Cloud API error codes" and the Messenger Platform's
"Send API error codes" pages."""

from __future__ import annotations

from dataclasses import dataclass

from cs_tui.channels.meta.settings import MetaKind

_NAMES: dict[MetaKind, str] = {"whatsapp": "WhatsApp", "messenger": "Messenger", "instagram": "Instagram"}

WHATSAPP_WINDOW_CLOSED = 131047
"""Re-engagement message: more than 24 hours since the customer last wrote."""
MESSENGER_OUTSIDE_WINDOW = 2018278
"""Subcode of code 10: "This message is sent outside of allowed window"."""
TOKEN_EXPIRED = 190


class GraphError(Exception):
    """A call to the Graph API did not work. `permanent`: sending the same again will
    not help (a closed window, an invalid recipient, an expired token until it is
    replaced); otherwise try again later. `reason` says why, for the agent; `code`,
    `subcode` and `fbtrace_id` are Meta's, for Meta's support."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool,
        code: int | None = None,
        subcode: int | None = None,
        status: int | None = None,
        fbtrace_id: str | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(reason)
        self.outcome_unknown = outcome_unknown
        """The request may have reached Meta but no answer came (a read timeout, a
        dropped connection): a message sent so may have gone out."""
        self.reason = reason
        self.permanent = permanent
        self.code = code
        self.subcode = subcode
        self.status = status
        self.fbtrace_id = fbtrace_id


@dataclass(frozen=True, slots=True)
class Explained:
    permanent: bool
    reason: str


def window_reason(kind: MetaKind) -> str:
    """Why a free-text reply cannot go out once the customer's window is over."""
    if kind == "whatsapp":
        return (
            "WhatsApp allows a free-text reply only within 24 hours of the customer's last message; "
            "send an approved template instead"
        )
    return (
        f"{_NAMES[kind]} allows a reply only within 24 hours of the customer's last message, or 7 days "
        "when an agent writes it (the human agent tag); nothing can go out until the customer writes again"
    )


def explain(
    kind: MetaKind,
    code: int | None,
    *,
    subcode: int | None = None,
    http_status: int | None = None,
    message: str = "",
    details: str = "",
) -> Explained:
    """What Meta's error `code` (and `subcode`) means for a reply on `kind`. A code
    not known here is temporary when Meta's HTTP status says so (429, 5xx) and
    permanent otherwise, with Meta's own words."""
    meta_words = "; ".join(part for part in (message.strip(), details.strip()) if part)
    said = f" ({meta_words})" if meta_words else ""
    if code in (0, TOKEN_EXPIRED):
        return Explained(
            True,
            "the access token expired or was revoked: give a new one (in the file or environment "
            "variable the channel's settings name) and send the reply again" + _code(code),
        )
    known = _whatsapp_error(code) if kind == "whatsapp" else _page_error(kind, code, subcode)
    if known is not None:
        return Explained(known.permanent, known.reason + _code(code))
    found = _COMMON.get(code) if code is not None else None
    if found is not None:
        return Explained(found.permanent, found.reason + said + _code(code))
    temporary = http_status is not None and (http_status == 429 or http_status >= 500)
    if temporary:
        return Explained(False, f"{_NAMES[kind]} could not take it now{said}{_code(code)}")
    return Explained(True, f"{_NAMES[kind]} refused it{said}{_code(code)}")


def _code(code: int | None) -> str:
    return f" [Meta error {code}]" if code is not None else ""


def _whatsapp_error(code: int | None) -> Explained | None:
    if code is not None and 200 <= code <= 299:
        return _WHATSAPP[10]  # Meta: 200-299 are permission errors, as 10 is
    return _WHATSAPP.get(code) if code is not None else None


def _page_error(kind: MetaKind, code: int | None, subcode: int | None) -> Explained | None:
    """Messenger and Instagram (through a Page) share the Send API's codes."""
    name = _NAMES[kind]
    if code == 10 and subcode in (None, MESSENGER_OUTSIDE_WINDOW):
        return Explained(True, window_reason(kind))
    if code == 551 or subcode == 1545041:
        return Explained(
            True,
            f"the customer cannot get messages from the shop on {name} right now "
            "(they may have blocked it or closed their account)",
        )
    if code == 100 and subcode == 2018001:
        return Explained(True, f"{name} knows no such customer for this Page")
    if code == 100 and subcode == 2018109:
        return Explained(True, f"the attachment is larger than {name} takes")
    if code == 1200:
        return Explained(False, f"{name} could not send it just now (a temporary failure)")
    if code == 613:
        return Explained(False, f"the Page is sending faster than {name} allows; it will be tried again")
    if code == 200:
        return Explained(
            True,
            "the access token lacks the permission to send for this Page (pages_messaging, or "
            "instagram_manage_messages for Instagram): give a token that has it",
        )
    return None


_WHATSAPP: dict[int, Explained] = {
    WHATSAPP_WINDOW_CLOSED: Explained(True, window_reason("whatsapp")),
    131026: Explained(
        True,
        "WhatsApp could not deliver it: the number may not be on WhatsApp, the customer may have "
        "blocked the shop, or their app may be too old",
    ),
    131021: Explained(True, "the recipient is the shop's own WhatsApp number"),
    131031: Explained(True, "Meta has locked the WhatsApp Business Account; see WhatsApp Manager"),
    131048: Explained(
        True,
        "WhatsApp is limiting what this number may send because earlier messages were blocked or "
        "reported as spam; see the number's quality in WhatsApp Manager",
    ),
    131051: Explained(True, "WhatsApp does not support this kind of message"),
    131056: Explained(
        False, "too many messages went to this customer in a short time; it will be tried again shortly"
    ),
    131062: Explained(
        True,
        "this message cannot go to a customer known only by their WhatsApp username (business-scoped "
        "user id); it needs their phone number",
    ),
    130429: Explained(
        False, "the WhatsApp number is sending faster than Meta allows; it will be tried again shortly"
    ),
    80007: Explained(
        False, "the WhatsApp Business Account reached Meta's rate limit; it will be tried again"
    ),
    131000: Explained(False, "WhatsApp had an unexpected problem sending it; it will be tried again"),
    131016: Explained(False, "WhatsApp's service is unavailable just now; it will be tried again"),
    132000: Explained(
        True, "the template was given a different number of values than its approved placeholders"
    ),
    132001: Explained(True, "WhatsApp knows no approved template by that name in that language"),
    132015: Explained(True, "the template is paused for low quality; see WhatsApp Manager"),
    132016: Explained(True, "the template was disabled for low quality; see WhatsApp Manager"),
    133010: Explained(True, "the shop's WhatsApp number is not registered with the Cloud API"),
    368: Explained(True, "Meta has restricted the WhatsApp Business Account for a policy violation"),
    10: Explained(
        True,
        "the access token lacks the permission to send for this number (whatsapp_business_messaging): "
        "give a token that has it",
    ),
}

_COMMON: dict[int, Explained] = {
    1: Explained(False, "Meta had an unknown problem; it will be tried again"),
    2: Explained(False, "Meta's service is down or overloaded just now; it will be tried again"),
    4: Explained(False, "the app made more calls to Meta than it allows; it will be tried again"),
    100: Explained(True, "Meta refused a value in the message"),
}
