"""`cs-tui channel check` for a Meta channel, against the Graph API stand-in: each
secret readable or said why not (never shown), a file others can read said with its
fix, and what Meta says of the number or Page with the token, in words."""

from __future__ import annotations

from pathlib import Path

from cs_tui.channels.meta.checking import check_meta

from ...graphapi import PAGE_ID, PHONE_NUMBER_ID, TOKEN, GraphApi
from .conftest import settings_for

ENV = {"SHOP_APP_SECRET": "app-secret", "SHOP_TOKEN": TOKEN, "SHOP_VERIFY": "verify-words"}


async def test_a_working_number_is_said_by_name_and_no_secret_is_shown(graph_api: GraphApi) -> None:
    graph_api.profiles[PHONE_NUMBER_ID] = {"display_phone_number": "+62 811-0000", "verified_name": "Tokoku"}

    lines = await check_meta(settings_for("whatsapp", graph_api.url), ENV)

    assert all(line.ok for line in lines)
    assert lines[-1].said == "the access token works for the number +62 811-0000 (Tokoku)"
    assert not [line for line in lines if any(secret in line.said for secret in ENV.values())]


async def test_a_refused_token_an_unknown_page_and_a_missing_secret_are_said(
    graph_api: GraphApi, tmp_path: Path
) -> None:
    refused = await check_meta(settings_for("whatsapp", graph_api.url), {**ENV, "SHOP_TOKEN": "old-token"})
    unknown = await check_meta(settings_for("messenger", graph_api.url), ENV)
    exposed_file = tmp_path / "app-secret"
    exposed_file.write_text("app-secret\n")
    exposed_file.chmod(0o644)
    missing = await check_meta(
        settings_for("instagram", graph_api.url, app_secret_env=None, app_secret_file=str(exposed_file)),
        {"SHOP_VERIFY": "v"},
    )

    assert not refused[-1].ok
    assert "the access token expired or was revoked" in refused[-1].said
    assert not unknown[-1].ok
    assert f"Meta has no Page {PAGE_ID} this access token may see" in unknown[-1].said
    said = {line.what: (line.ok, line.said) for line in missing}
    assert said["app secret"] == (
        False,
        f"the file {exposed_file} can be read by other users (mode 0644): chmod 600 {exposed_file}",
    )
    assert said["access token"][0] is False
    assert "SHOP_TOKEN is not set or empty" in said["access token"][1]
    assert said["Graph API"] == (False, "not asked: the access token cannot be read")
