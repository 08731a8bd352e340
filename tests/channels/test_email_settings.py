"""A mailbox's settings as `cs-tui channel add email` takes them: the URLs read as a
shop writes them, refusals that say what to write instead, what the store keeps
(never a password), and the password read from its file or variable."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from cs_tui.channels.email.settings import (
    DEFAULT_PROCESSED_FOLDER,
    MailboxSettings,
    SettingsError,
    parse_imap_url,
    parse_smtp_url,
    password_file_exposed,
    read_password,
    tls_context,
)


def shop(**changes: object) -> MailboxSettings:
    options: dict[str, object] = {
        "address": "cs@toko.example",
        "imap": "imaps://imap.toko.example/INBOX",
        "smtp": "smtp+starttls://smtp.toko.example",
        "password_env": "TOKO_MAIL_PASSWORD",
    }
    options.update(changes)
    return MailboxSettings.parse(**options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("url", "security", "port"),
    [
        ("imaps://shop@imap.example.com", "tls", 993),
        ("imap+starttls://shop@imap.example.com", "starttls", 143),
        ("imap://shop@127.0.0.1", "plain", 143),
        ("IMAPS://shop@imap.example.com:1993", "tls", 1993),
    ],
)
def test_imap_schemes_say_how_the_connection_is_secured_and_the_usual_port(
    url: str, security: str, port: int
) -> None:
    server = parse_imap_url(url)
    assert (server.security, server.port, server.username, server.folder) == (security, port, "shop", "INBOX")


@pytest.mark.parametrize(
    ("url", "security", "port"),
    [
        ("smtps://shop@smtp.example.com", "tls", 465),
        ("smtp+starttls://shop@smtp.example.com", "starttls", 587),
        ("smtp://shop@localhost", "plain", 25),
    ],
)
def test_smtp_schemes_say_how_the_connection_is_secured_and_the_usual_port(
    url: str, security: str, port: int
) -> None:
    server = parse_smtp_url(url)
    assert (server.security, server.port, server.username) == (security, port, "shop")


def test_a_gmail_user_is_percent_decoded_and_written_back_the_same() -> None:
    server = parse_imap_url("imaps://budi%40toko.id@imap.gmail.com:993/%5BGmail%5D/All%20Mail")
    assert (server.username, server.host, server.folder) == (
        "budi@toko.id",
        "imap.gmail.com",
        "[Gmail]/All Mail",
    )
    assert parse_imap_url(server.url) == server


def test_the_user_defaults_to_the_mailbox_address() -> None:
    settings = shop()
    assert (settings.imap.username, settings.smtp.username) == ("cs@toko.example", "cs@toko.example")
    assert settings.imap.url == "imaps://cs%40toko.example@imap.toko.example:993/INBOX"


def test_a_password_in_the_url_is_refused_and_never_repeated() -> None:
    with pytest.raises(SettingsError) as refused:
        parse_imap_url("imaps://shop:Rahasia123@imap.example.com/INBOX")
    assert "--password-file" in str(refused.value)
    assert "--password-env" in str(refused.value)
    assert "Rahasia123" not in str(refused.value)


def test_a_bad_url_holding_a_password_is_shown_without_it() -> None:
    with pytest.raises(SettingsError) as refused:
        parse_imap_url("imaps://shop:Rahasia123@imap.example.com:99999/INBOX")
    assert "Rahasia123" not in str(refused.value)
    assert "imaps://shop:***@imap.example.com:99999/INBOX" in str(refused.value)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("imap.gmail.com", "got 'imap.gmail.com'"),
        ("https://imap.gmail.com", "starts with one of imaps://, imap+starttls://, imap://"),
        ("imaps://shop@imap.gmail.com:99999", "a port is a number"),
        ("imaps://shop@:993/INBOX", "the server's name is missing"),
        ("imaps://imap.gmail.com/INBOX?x=1", "without ? or #"),
    ],
)
def test_a_bad_imap_url_says_what_to_write_instead(url: str, words: str) -> None:
    with pytest.raises(SettingsError) as refused:
        parse_imap_url(url, default_username="cs@toko.example")
    assert str(refused.value).startswith("--imap must look like imaps://user@host:993/INBOX")
    assert words in str(refused.value)


def test_an_smtp_url_has_no_folder_and_no_user_means_say_who() -> None:
    with pytest.raises(SettingsError, match=r"--smtp must look like smtp\+starttls://user@host:587, without"):
        parse_smtp_url("smtp+starttls://shop@smtp.example.com:587/INBOX")
    with pytest.raises(SettingsError, match="say who signs in"):
        parse_smtp_url("smtps://smtp.example.com")


@pytest.mark.parametrize("host", ["imap.example.com", "192.168.1.10", "[fe80::1]"])
def test_unencrypted_to_another_machine_is_refused_unless_allowed(host: str) -> None:
    with pytest.raises(SettingsError, match="in the clear; use imaps://") as refused:
        parse_imap_url(f"imap://shop@{host}")
    assert "localhost" in str(refused.value)
    assert parse_imap_url(f"imap://shop@{host}", allow_plain=True).security == "plain"
    with pytest.raises(SettingsError, match="in the clear; use smtps://"):
        shop(smtp=f"smtp://shop@{host}")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.3.2.1", "[::1]", "LOCALHOST."])
def test_unencrypted_to_this_machine_is_fine(host: str) -> None:
    assert shop(imap=f"imap://shop@{host}:1430", smtp=f"smtp://shop@{host}:2525").imap.port == 1430


def test_the_store_keeps_strings_and_the_name_of_the_secret_and_reads_them_back() -> None:
    settings = shop(processed_folder="Done", max_mail_bytes=1000, ca_file="/etc/toko-ca.pem")
    stored = settings.to_dict()
    assert stored == {
        "address": "cs@toko.example",
        "imap": "imaps://cs%40toko.example@imap.toko.example:993/INBOX",
        "smtp": "smtp+starttls://cs%40toko.example@smtp.toko.example:587",
        "password_env": "TOKO_MAIL_PASSWORD",
        "processed_folder": "Done",
        "max_mail_bytes": "1000",
        "allow_plain": "no",
        "ca_file": "/etc/toko-ca.pem",
    }
    assert MailboxSettings.from_dict(stored) == settings


def test_settings_come_back_checked_as_when_they_were_added() -> None:
    stored = shop(imap="imap://shop@imap.toko.example", allow_plain=True).to_dict()
    assert MailboxSettings.from_dict(stored).allow_plain
    with pytest.raises(SettingsError, match="in the clear"):
        MailboxSettings.from_dict({**stored, "allow_plain": "no"})
    with pytest.raises(SettingsError, match="no smtp"):
        MailboxSettings.from_dict({key: value for key, value in stored.items() if key != "smtp"})


def test_defaults_are_an_inbox_a_processed_folder_of_its_own_and_25_mb() -> None:
    settings = shop()
    assert (settings.imap.folder, settings.processed_folder) == ("INBOX", DEFAULT_PROCESSED_FOLDER)
    assert settings.max_mail_bytes == 25 * 1024 * 1024
    with pytest.raises(SettingsError, match="cannot go back into INBOX"):
        shop(processed_folder="INBOX")


def test_the_password_comes_from_one_place_and_a_variable_is_a_name() -> None:
    with pytest.raises(SettingsError, match="--password-file F or --password-env VAR"):
        shop(password_env=None)
    with pytest.raises(SettingsError, match="from one place"):
        shop(password_file="/run/secrets/mail")
    with pytest.raises(SettingsError, match="not the password") as refused:
        shop(password_env="hunter2!")
    assert "hunter2" not in str(refused.value)
    with pytest.raises(SettingsError, match="one address"):
        shop(address="Toko <cs@toko.example>")


def test_the_password_is_read_from_the_file_without_its_line_break(tmp_path: Path) -> None:
    secret = tmp_path / "mail-password"
    secret.write_text("kata sandi\n")
    settings = shop(password_env=None, password_file=str(secret))
    assert read_password(settings) == "kata sandi"
    secret.write_text("kata sandi\r\n\n")
    assert read_password(settings) == "kata sandi\r\n"


def test_a_missing_or_empty_password_file_is_named(tmp_path: Path) -> None:
    secret = tmp_path / "mail-password"
    settings = shop(password_env=None, password_file=str(secret))
    with pytest.raises(SettingsError, match=f"the password file {secret} does not exist"):
        read_password(settings)
    secret.write_text("\n")
    with pytest.raises(SettingsError, match="is empty"):
        read_password(settings)
    secret.write_bytes(b"\xffrahasia")
    with pytest.raises(SettingsError, match="not UTF-8") as refused:
        read_password(settings)
    assert "rahasia" not in str(refused.value)


def test_the_password_is_read_from_the_variable_which_is_named_when_unset() -> None:
    settings = shop()
    assert read_password(settings, {"TOKO_MAIL_PASSWORD": "rahasia"}) == "rahasia"
    for environ in ({}, {"TOKO_MAIL_PASSWORD": ""}):
        with pytest.raises(SettingsError, match="the environment variable TOKO_MAIL_PASSWORD is not set"):
            read_password(settings, environ)


def test_a_password_file_others_can_read_is_pointed_out(tmp_path: Path) -> None:
    secret = tmp_path / "mail-password"
    secret.write_text("rahasia\n")
    settings = shop(password_env=None, password_file=str(secret))
    secret.chmod(0o644)
    assert password_file_exposed(settings) == (
        f"the password file {secret} can be read by other users (mode 0644): chmod 600 {secret}"
    )
    secret.chmod(0o600)
    assert password_file_exposed(settings) is None
    assert password_file_exposed(shop()) is None


def test_tls_checks_certificates_and_names_a_missing_ca_file(tmp_path: Path) -> None:
    context = tls_context(shop())
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, True)
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    with pytest.raises(SettingsError, match=r"the CA file .*nope\.pem does not exist"):
        tls_context(shop(ca_file=str(tmp_path / "nope.pem")))
    (tmp_path / "junk.pem").write_text("not a certificate")
    with pytest.raises(SettingsError, match="holds no PEM certificate"):
        tls_context(shop(ca_file=str(tmp_path / "junk.pem")))


def test_an_ipv6_server_is_written_back_in_brackets() -> None:
    server = parse_smtp_url("smtps://u@[::1]")
    assert (server.host, server.url) == ("::1", "smtps://u@[::1]:465")
    assert parse_smtp_url(server.url) == server
