"""A Meta channel's settings as `cs-tui channel add whatsapp|messenger|instagram`
takes them: refusals that say which option to give, what the store keeps (never a
secret), and each secret read from its file or variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from cs_tui.channels.meta.settings import (
    DEFAULT_GRAPH_URL,
    MetaSettings,
    SettingsError,
    WhatsAppTemplate,
    read_secret,
)

SECRET = "8f0c2b9d51e34a7f9c6d0e1b2a3c4d5e"


def whatsapp(tmp_path: Path, **changes: object) -> MetaSettings:
    for name in ("app-secret", "token", "verify"):
        (tmp_path / name).write_text(f"{SECRET}-{name}\n")
    options: dict[str, object] = {
        "phone_number_id": "106540352242922",
        "app_secret_file": str(tmp_path / "app-secret"),
        "access_token_file": str(tmp_path / "token"),
        "verify_token_file": str(tmp_path / "verify"),
    }
    options.update(changes)
    return MetaSettings.parse("whatsapp", **options)  # type: ignore[arg-type]


def test_the_store_keeps_where_each_secret_is_and_reads_back_the_same_settings(tmp_path: Path) -> None:
    settings = whatsapp(tmp_path, templates=["order_update:en_US:2", "welcome_back:id"])
    stored = settings.to_dict()
    assert all(isinstance(value, str) for value in stored.values())
    assert SECRET not in " ".join(stored.values())
    assert stored["app_secret_file"] == str(tmp_path / "app-secret")
    assert stored["graph_url"] == DEFAULT_GRAPH_URL
    assert MetaSettings.from_dict(stored) == settings
    assert settings.template("welcome_back") == WhatsAppTemplate("welcome_back", "id", 0)
    assert settings.template("order_update", "en_US") == WhatsAppTemplate("order_update", "en_US", 2)


def test_messenger_and_instagram_take_a_page_id(tmp_path: Path) -> None:
    for kind in ("messenger", "instagram"):
        settings = MetaSettings.parse(
            kind, page_id=" 110198307638924 ", app_secret_env="A", access_token_env="B", verify_token_env="C"
        )
        assert (settings.kind, settings.business_id) == (kind, "110198307638924")
        assert MetaSettings.from_dict(settings.to_dict()) == settings


@pytest.mark.parametrize(
    ("kind", "options", "says"),
    [
        ("whatsapp", {}, "give --phone-number-id"),
        ("whatsapp", {"phone_number_id": "+62 812 3456 7890"}, "--phone-number-id is the phone number's id"),
        ("whatsapp", {"phone_number_id": "1065", "page_id": "1101"}, "not --page-id"),
        ("messenger", {}, "give --page-id"),
        ("instagram", {"page_id": "1101", "phone_number_id": "1065"}, "not --phone-number-id"),
        ("messenger", {"page_id": "1101", "templates": ["hello:en:0"]}, "templates are WhatsApp's"),
        ("telegram", {"page_id": "1101"}, "one of whatsapp, messenger, instagram"),
    ],
)
def test_ids_that_cannot_work_are_refused_saying_which_option_to_give(
    kind: str, options: dict[str, object], says: str
) -> None:
    secrets = {"app_secret_env": "A", "access_token_env": "B", "verify_token_env": "C"}
    with pytest.raises(SettingsError, match=says):
        MetaSettings.parse(kind, **{**secrets, **options})  # type: ignore[arg-type]


def test_each_secret_is_read_from_exactly_one_place(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="--access-token-file F or --access-token-env VAR"):
        whatsapp(tmp_path, access_token_env="SHOP_TOKEN")
    with pytest.raises(SettingsError, match="the app secret is read from one place"):
        whatsapp(tmp_path, app_secret_file=None)


def test_a_secret_given_where_a_variable_name_belongs_is_refused_without_being_repeated(
    tmp_path: Path,
) -> None:
    with pytest.raises(SettingsError) as refused:
        MetaSettings.parse(
            "messenger",
            page_id="1101",
            app_secret_env=SECRET + "!",
            access_token_env="B",
            verify_token_env="C",
        )
    assert "--app-secret-env takes the name of an environment variable" in str(refused.value)
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Order Update:en_US:1", "lowercase letters, digits and _"),
        ("order_update", "write a template as order_update:id:customer.first_name\\+ticket.id"),
        ("order_update:english:1", "a code like id, en or en_US"),
        ("order_update:en_US:two", "'two' is not one of customer.first_name, customer.name"),
    ],
)
def test_a_template_written_wrong_says_how_to_write_it(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(SettingsError, match=says):
        whatsapp(tmp_path, templates=[text])


def test_the_graph_url_is_https_except_for_a_stand_in_on_this_machine(tmp_path: Path) -> None:
    assert (
        whatsapp(tmp_path, graph_url="http://127.0.0.1:8443/v23.0/").graph_url
        == "http://127.0.0.1:8443/v23.0"
    )
    with pytest.raises(SettingsError, match="would send the access token in the clear"):
        whatsapp(tmp_path, graph_url="http://graph.example.com/v23.0")
    with pytest.raises(SettingsError, match="--graph-url must look like"):
        whatsapp(tmp_path, graph_url="graph.facebook.com")


def test_secrets_are_read_with_the_whitespace_around_them_stripped(tmp_path: Path) -> None:
    settings = whatsapp(tmp_path)
    assert read_secret(settings, "access_token") == f"{SECRET}-token"
    messenger = MetaSettings.parse(
        "messenger", page_id="1101", app_secret_env="A", access_token_env="SHOP_TOKEN", verify_token_env="C"
    )
    assert read_secret(messenger, "access_token", {"SHOP_TOKEN": "  EAAG-token \n"}) == "EAAG-token"


def test_a_secret_that_cannot_be_read_names_its_file_or_variable_and_never_its_value(tmp_path: Path) -> None:
    settings = whatsapp(tmp_path)
    (tmp_path / "token").unlink()
    with pytest.raises(
        SettingsError, match=f"the file {tmp_path / 'token'} for the access token does not exist"
    ):
        read_secret(settings, "access_token")
    (tmp_path / "verify").write_text("  \n")
    with pytest.raises(SettingsError, match="for the verify token is empty"):
        read_secret(settings, "verify_token")
    (tmp_path / "app-secret").unlink()
    (tmp_path / "app-secret").mkdir()
    with pytest.raises(SettingsError, match="is a folder, not a file"):
        read_secret(settings, "app_secret")
    messenger = MetaSettings.parse(
        "messenger",
        page_id="1101",
        app_secret_env="SHOP_APP_SECRET",
        access_token_env="B",
        verify_token_env="C",
    )
    with pytest.raises(
        SettingsError, match="SHOP_APP_SECRET is not set or empty; it must hold the app secret"
    ):
        read_secret(messenger, "app_secret", {"SHOP_APP_SECRET": " "})
