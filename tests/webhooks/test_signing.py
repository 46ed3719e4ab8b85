"""Signatures: Twilio's own RequestValidator accepts ours; the VoxXML HMAC verifies and resists replay."""
from __future__ import annotations

import json

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from tests.webhooks.conftest import request_url
from voxctl.webhooks.request import build_request
from voxctl.webhooks.signing import (
    twilio_signature,
    verify_vox_signature,
    vox_signature,
)

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
TWILIO_DOC_PARAMS = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
                     "From": "+12349013030", "To": "+18005551212"}


def test_twilio_signature_matches_twilios_published_example():
    # the worked example of Twilio's security documentation
    assert twilio_signature(TOKEN, URL, TWILIO_DOC_PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


@pytest.mark.parametrize("params", [
    TWILIO_DOC_PARAMS,
    {"Name": "Zoë ☎", "Ünïcode": "日本語", "Empty": ""},
    {"StatusCallbackEvent": ["ringing", "answered", "completed"], "A": "1"},
    None,
])
def test_twilio_validator_accepts_our_signature(params):
    signature = twilio_signature(TOKEN, URL, params)
    form = MultiDict([(k, v) for k, vs in (params or {}).items() for v in ([vs] if isinstance(vs, str) else vs)])
    assert RequestValidator(TOKEN).validate(URL, form, signature)
    assert not RequestValidator("other-token").validate(URL, form, signature)


def test_vox_signature_verifies_and_rejects_tampering_and_replay():
    body = b'{"type":"api","event":"incoming_call"}'
    header = vox_signature("secret", body, 1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify_vox_signature("secret", header, body, now=1_700_000_100)
    assert not verify_vox_signature("secret", header, body + b" ", now=1_700_000_100)
    assert not verify_vox_signature("wrong", header, body, now=1_700_000_100)
    assert not verify_vox_signature("secret", header, body, now=1_700_000_000 + 301)  # replayed later
    assert not verify_vox_signature("secret", "v1=abc", body)
    assert not verify_vox_signature("secret", "t=x,v1=abc", body)
    rotated = header + ",v1=" + vox_signature("old-secret", body, 1_700_000_000).split("v1=")[1]
    assert verify_vox_signature("old-secret", rotated, body, now=1_700_000_000)


def test_twiml_post_to_real_server_validates(http_server, client, account):
    url = http_server.route("/status", "", content_type="text/plain") + "?tenant=7"
    params = {"CallSid": "CA1", "From": "+15550001111", "Caller Name": "Zoë", "StatusCallbackEvent": ["b", "a"]}
    client.send(build_request("POST", url, params, "twiml", account), client.callback_timeouts)
    received = http_server.requests_to("/status")[0]
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert RequestValidator(account.auth_token).validate(request_url(http_server, received),
                                                         MultiDict(received.form),
                                                         received.headers["X-Twilio-Signature"])


def test_twiml_get_to_real_server_validates(http_server, client, account):
    url = http_server.route("/doc", "<Response/>")
    client.send(build_request("GET", url + "?app=a", {"CallSid": "CA1", "To": "+1 555", "Digits": "1#"},
                              "twiml", account), client.fetch_timeouts)
    received = http_server.requests_to("/doc")[0]
    assert received.param("Digits") == "1#" and received.param("app") == "a"
    assert received.body == b""
    assert RequestValidator(account.auth_token).validate(request_url(http_server, received), {},
                                                         received.headers["X-Twilio-Signature"])


def test_voxxml_post_and_get_to_real_server_verify(http_server, client, account):
    url = http_server.route("/cb", "")
    payload = {"type": "number", "event": "ringing", "call_id": "c1", "destination_number": "15556667777"}
    client.send(build_request("POST", url, payload, "voxxml", account), client.callback_timeouts)
    client.send(build_request("GET", url, payload, "voxxml", account), client.callback_timeouts)
    post, get = http_server.requests_to("/cb")
    assert post.headers["Content-Type"] == "application/json" and post.json == payload
    assert verify_vox_signature(account.signing_secret, post.headers["X-Vox-Signature"], post.body)
    assert {k: v[0] for k, v in get.query.items()} == payload
    raw_query = request_url(http_server, get).split("?", 1)[1].encode()
    assert verify_vox_signature(account.signing_secret, get.headers["X-Vox-Signature"], raw_query)
    assert not verify_vox_signature(account.signing_secret, get.headers["X-Vox-Signature"], post.body)


def test_no_account_means_no_signature_and_user_agent_is_set(http_server, client):
    url = http_server.route("/cb", "")
    client.send(build_request("POST", url, {"a": "1"}, "voxxml"), client.callback_timeouts)
    client.send(build_request("POST", url, {"a": "1"}, "twiml"), client.callback_timeouts)
    for received in http_server.requests_to("/cb"):
        assert "X-Vox-Signature" not in received.headers and "X-Twilio-Signature" not in received.headers
        assert received.headers["User-Agent"].startswith("voxctl/")
    assert json.loads(http_server.requests_to("/cb")[0].body) == {"a": "1"}
