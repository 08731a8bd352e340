"""How a webhook proves itself: Meta's GET handshake answered only with our verify
token, and a delivery taken only with a valid X-Hub-Signature-256 over its raw
bytes."""

from __future__ import annotations

import json

import pytest

from cs_tui.channels.meta.webhooks import signature_ok, verify_handshake

from ...graphapi import encode, sign, whatsapp_entry, whatsapp_text, whatsapp_webhook

VERIFY_TOKEN = "toko-verify-7f3a"
APP_SECRET = "d41d8cd98f00b204e9800998ecf8427e"


def handshake(**changes: str) -> dict[str, str]:
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    params.update(changes)
    return params


def test_the_handshake_with_our_token_is_answered_with_metas_challenge() -> None:
    assert verify_handshake(handshake(), VERIFY_TOKEN) == "1158201444"


@pytest.mark.parametrize(
    "params",
    [
        handshake(**{"hub.verify_token": "toko-verify-7f3b"}),
        handshake(**{"hub.verify_token": ""}),
        handshake(**{"hub.mode": "unsubscribe"}),
        {"hub.challenge": "1158201444"},
    ],
    ids=["wrong token", "empty token", "wrong mode", "no mode"],
)
def test_a_handshake_that_is_not_metas_with_our_token_is_refused(params: dict[str, str]) -> None:
    assert verify_handshake(params, VERIFY_TOKEN) is None


def test_no_handshake_passes_when_the_channel_has_no_verify_token() -> None:
    assert verify_handshake(handshake(**{"hub.verify_token": ""}), "") is None


def delivery() -> bytes:
    """A delivery with text Meta escapes (é, /), as Meta encodes it."""
    return encode(
        whatsapp_webhook(whatsapp_entry(messages=[whatsapp_text("Pesanan saya belum sampai, café 1/2")]))
    )


def test_a_delivery_signed_with_our_app_secret_is_taken() -> None:
    raw = delivery()
    assert b"\\u00e9" in raw
    assert b"\\/" in raw
    assert signature_ok(raw, sign(raw, APP_SECRET), APP_SECRET)
    assert signature_ok(raw, sign(raw, APP_SECRET).replace("sha256=", "SHA256="), APP_SECRET)


def test_the_signature_is_over_the_raw_bytes_not_the_json_read_back() -> None:
    raw = delivery()
    re_encoded = json.dumps(json.loads(raw)).encode()
    assert not signature_ok(re_encoded, sign(raw, APP_SECRET), APP_SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha1=" + "0" * 40,
        "sha256=" + "z" * 64,
        "sha256=" + "ab" * 31,
    ],
    ids=["missing", "empty", "no digest", "sha1", "not hex", "too short"],
)
def test_a_missing_or_malformed_signature_is_refused(header: str | None) -> None:
    assert not signature_ok(delivery(), header, APP_SECRET)


def test_a_signature_without_its_sha256_prefix_is_refused() -> None:
    raw = delivery()
    assert not signature_ok(raw, sign(raw, APP_SECRET).removeprefix("sha256="), APP_SECRET)


def test_a_tampered_body_or_another_apps_secret_is_refused() -> None:
    raw = delivery()
    header = sign(raw, APP_SECRET)
    assert not signature_ok(raw.replace(b"belum", b"sudah"), header, APP_SECRET)
    assert not signature_ok(raw, header, "another-apps-secret")
    assert not signature_ok(raw, header, "")
