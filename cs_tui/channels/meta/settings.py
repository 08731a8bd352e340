"""A Meta channel's settings: as the store keeps them (strings, never a secret) and as
the webhooks and the Graph API client use them, with the three secrets (app secret,
access token, verify token) read from the file or environment variable they name."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

from cs_tui.domain.messaging import TemplateError
from cs_tui.domain.messaging import WhatsAppTemplate as WhatsAppTemplate

MetaKind = Literal["whatsapp", "messenger", "instagram"]
KINDS: tuple[MetaKind, ...] = ("whatsapp", "messenger", "instagram")
Secret = Literal["app_secret", "access_token", "verify_token"]
SECRETS: tuple[Secret, ...] = ("app_secret", "access_token", "verify_token")

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v23.0"
"""Meta's Graph API, at the version these channels were written against."""

_SECRET_WORDS: dict[Secret, str] = {
    "app_secret": "the app secret",
    "access_token": "the access token",
    "verify_token": "the verify token",
}
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_META_ID = re.compile(r"[0-9]{1,40}")


class SettingsError(ValueError):
    """Settings that cannot work; the message says which option to give and never
    holds a secret."""


@dataclass(frozen=True, slots=True)
class MetaSettings:
    """One WhatsApp number, Messenger Page or Instagram account (through its Page): the
    id replies are sent from, where each secret is read from (a file or an
    environment variable, never the secret itself), the Graph API's address, and for
    WhatsApp the approved templates an agent may send."""

    kind: MetaKind
    phone_number_id: str | None = None
    """WhatsApp: the phone number's id in WhatsApp Manager (not the phone number)."""
    page_id: str | None = None
    """Messenger and Instagram: the Facebook Page's id (for Instagram, the Page linked
    to the Instagram professional account)."""
    app_secret_file: str | None = None
    app_secret_env: str | None = None
    access_token_file: str | None = None
    access_token_env: str | None = None
    verify_token_file: str | None = None
    verify_token_env: str | None = None
    graph_url: str = DEFAULT_GRAPH_URL
    templates: tuple[WhatsAppTemplate, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SettingsError(f"a Meta channel is one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.kind == "whatsapp":
            _check_id(
                "--phone-number-id", self.phone_number_id, "the phone number's id from WhatsApp Manager"
            )
            if self.page_id is not None:
                raise SettingsError("a WhatsApp channel takes --phone-number-id, not --page-id")
        else:
            _check_id("--page-id", self.page_id, "the Facebook Page's id")
            if self.phone_number_id is not None:
                raise SettingsError(f"a {self.kind} channel takes --page-id, not --phone-number-id")
            if self.templates:
                raise SettingsError("templates are WhatsApp's; Messenger and Instagram have none")
        for which in SECRETS:
            _check_source(which, self.secret_file(which), self.secret_env(which))
        _check_graph_url(self.graph_url)
        names = [(template.name, template.language) for template in self.templates]
        if len(names) != len(set(names)):
            raise SettingsError("each template is given once per language")

    @classmethod
    def parse(
        cls,
        kind: str,
        *,
        phone_number_id: str | None = None,
        page_id: str | None = None,
        app_secret_file: str | None = None,
        app_secret_env: str | None = None,
        access_token_file: str | None = None,
        access_token_env: str | None = None,
        verify_token_file: str | None = None,
        verify_token_env: str | None = None,
        graph_url: str | None = None,
        templates: Iterable[str] = (),
    ) -> MetaSettings:
        """Settings from what `cs-tui channel add whatsapp|messenger|instagram` is
        given: ids and URL stripped, templates read from `name:language:params`."""
        if kind not in KINDS:
            raise SettingsError(f"a Meta channel is one of {', '.join(KINDS)}; got {kind!r}")
        return cls(
            kind=kind,
            phone_number_id=_stripped(phone_number_id),
            page_id=_stripped(page_id),
            app_secret_file=app_secret_file,
            app_secret_env=app_secret_env,
            access_token_file=access_token_file,
            access_token_env=access_token_env,
            verify_token_file=verify_token_file,
            verify_token_env=verify_token_env,
            graph_url=(graph_url or DEFAULT_GRAPH_URL).strip().rstrip("/"),
            templates=_templates(templates),
        )

    def to_dict(self) -> dict[str, str]:
        """What the store keeps: strings only, a setting left unset left out, and the
        name of where each secret is, never the secret."""
        stored: dict[str, str | None] = {
            "kind": self.kind,
            "phone_number_id": self.phone_number_id,
            "page_id": self.page_id,
            "app_secret_file": self.app_secret_file,
            "app_secret_env": self.app_secret_env,
            "access_token_file": self.access_token_file,
            "access_token_env": self.access_token_env,
            "verify_token_file": self.verify_token_file,
            "verify_token_env": self.verify_token_env,
            "graph_url": self.graph_url,
            "templates": ",".join(str(template) for template in self.templates) or None,
        }
        return {key: value for key, value in stored.items() if value is not None}

    @classmethod
    def from_dict(cls, stored: Mapping[str, str]) -> MetaSettings:
        """Settings back from what `to_dict` wrote, checked again as when they were
        added. Keys it does not know (a newer cs-tui's) are ignored."""
        kind = stored.get("kind", "")
        if not kind:
            raise SettingsError("the channel's stored settings have no kind: add the channel again")
        return cls.parse(
            kind,
            phone_number_id=stored.get("phone_number_id"),
            page_id=stored.get("page_id"),
            app_secret_file=stored.get("app_secret_file"),
            app_secret_env=stored.get("app_secret_env"),
            access_token_file=stored.get("access_token_file"),
            access_token_env=stored.get("access_token_env"),
            verify_token_file=stored.get("verify_token_file"),
            verify_token_env=stored.get("verify_token_env"),
            graph_url=stored.get("graph_url"),
            templates=stored.get("templates", "").split(","),
        )

    @property
    def business_id(self) -> str:
        """The id replies are sent from: the phone number id or the Page id."""
        return self.phone_number_id or self.page_id or ""

    def template(self, name: str, language: str | None = None) -> WhatsAppTemplate | None:
        """The approved template called `name` (in `language`, when given), or None."""
        return next(
            (
                template
                for template in self.templates
                if template.name == name and language in (None, template.language)
            ),
            None,
        )

    def secret_source(self, which: Secret) -> str:
        """Where a secret is read from, in words, for messages."""
        file = self.secret_file(which)
        if file is not None:
            return f"the file {file}"
        return f"the environment variable {self.secret_env(which)}"

    def secret_file(self, which: Secret) -> str | None:
        """The file a secret is read from, or None when it is an environment variable."""
        return cast("str | None", getattr(self, f"{which}_file"))

    def secret_env(self, which: Secret) -> str | None:
        """The environment variable a secret is read from, or None when it is a file."""
        return cast("str | None", getattr(self, f"{which}_env"))


def read_secret(settings: MetaSettings, which: Secret, environ: Mapping[str, str] = os.environ) -> str:
    """One of the channel's secrets, from its file or environment variable, with the
    whitespace around it stripped. What is wrong is named (the file, the variable),
    never what it holds."""
    words = _SECRET_WORDS[which]
    variable = settings.secret_env(which)
    if variable is not None:
        value = environ.get(variable, "").strip()
        if not value:
            raise SettingsError(
                f"the environment variable {variable} is not set or empty; it must hold {words}"
            )
        return value
    path = Path(settings.secret_file(which) or "").expanduser()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SettingsError(f"the file {path} for {words} does not exist") from None
    except IsADirectoryError:
        raise SettingsError(f"the file {path} for {words} is a folder, not a file") from None
    except PermissionError:
        raise SettingsError(f"cs-tui may not read the file {path} for {words} (permission denied)") from None
    except OSError as error:
        raise SettingsError(f"the file {path} for {words} cannot be read: {error.strerror}") from None
    try:
        value = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise SettingsError(f"the file {path} for {words} is not UTF-8 text") from None
    if not value:
        raise SettingsError(f"the file {path} for {words} is empty")
    return value


def _option(which: Secret) -> str:
    return "--" + which.replace("_", "-")


def _check_source(which: Secret, file: str | None, env: str | None) -> None:
    option = _option(which)
    if (file is None) == (env is None):
        raise SettingsError(
            f"{_SECRET_WORDS[which]} is read from one place: {option}-file F or {option}-env VAR"
        )
    if file is not None and not file.strip():
        raise SettingsError(f"{option}-file needs the path of a file holding {_SECRET_WORDS[which]}")
    if env is not None and not _ENV_NAME.fullmatch(env):
        raise SettingsError(
            f"{option}-env takes the name of an environment variable (letters, digits and _, "
            f"like SHOP_{which.upper()}), not {_SECRET_WORDS[which]} itself; "
            f"got a value of {len(env)} characters"
        )


def _check_id(option: str, value: str | None, what: str) -> None:
    if not value:
        raise SettingsError(f"give {option} ID: {what}")
    if not _META_ID.fullmatch(value):
        raise SettingsError(f"{option} is {what}, all digits (like 106540352242922); got {value!r}")


def _check_graph_url(url: str) -> None:
    wanted = f"--graph-url must look like {DEFAULT_GRAPH_URL}"
    try:
        parts = urlsplit(url)
    except ValueError:
        raise SettingsError(f"{wanted}; got {url!r}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SettingsError(f"{wanted}; got {url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise SettingsError(f"{wanted}, without a user, ? or #; got {url!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SettingsError(
            f"--graph-url: plain http to {parts.hostname} would send the access token in the clear; "
            "use https (http is only for a stand-in on this machine)"
        )


def _is_loopback(host: str) -> bool:
    name = host.lower().rstrip(".")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _stripped(value: str | None) -> str | None:
    return value.strip() if value is not None else None


def _templates(given: Iterable[str]) -> tuple[WhatsAppTemplate, ...]:
    try:
        return tuple(WhatsAppTemplate.parse(text) for text in given if text.strip())
    except TemplateError as error:
        raise SettingsError(f"--template {error}") from None
