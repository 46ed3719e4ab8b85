"""The one request builder: encodings per flavour and method, URL normalisation, rejected input."""
from __future__ import annotations

import json

import pytest
from twilio.request_validator import RequestValidator

from tests.webhooks.conftest import new_account
from voxctl.webhooks.request import build_request, normalise_url


def test_voxxml_post_is_json_and_get_is_query():
    post = build_request("post", "http://h/cb", {"event": "join", "n": 3, "skip": None}, "voxxml")
    assert (post.method, post.url, post.headers["Content-Type"]) == ("POST", "http://h/cb", "application/json")
    assert json.loads(post.body) == {"event": "join", "n": 3}
    get = build_request("GET", "http://h/cb?x=1", {"event": "join", "ok": True}, "voxxml")
    assert get.url == "http://h/cb?x=1&event=join&ok=true" and get.body is None


def test_twiml_post_is_form_with_repeated_keys():
    req = build_request("POST", "http://h/cb", {"CallSid": "CA1", "Ev": ["a", "b"], "Dur": 5}, "twiml")
    assert req.body == b"CallSid=CA1&Ev=a&Ev=b&Dur=5"
    assert req.headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_url_is_signed_as_sent():
    account = new_account()
    req = build_request("GET", "HTTP://Example.COM?app=a b#frag", {"Digits": "1#"}, "twiml", account)
    assert req.url == "http://example.com/?app=a%20b&Digits=1%23"
    assert RequestValidator(account.auth_token).validate(req.url, {}, req.headers["X-Twilio-Signature"])


def test_idempotency_header_per_flavour():
    assert build_request("POST", "http://h/", {}, "twiml", idempotency_key="k").headers[
        "I-Twilio-Idempotency-Token"] == "k"
    assert build_request("POST", "http://h/", {}, "voxxml", idempotency_key="k").headers[
        "X-Vox-Idempotency-Key"] == "k"


@pytest.mark.parametrize("method, url, flavour", [
    ("PUT", "http://h/", "voxxml"),
    ("POST", "http://h/", "laml"),
    ("POST", "/relative", "twiml"),
    ("POST", "ftp://h/x", "twiml"),
    ("POST", "http://", "twiml"),
])
def test_rejected(method, url, flavour):
    with pytest.raises(ValueError):
        build_request(method, url, {}, flavour)


def test_normalise_url_is_stable():
    once = normalise_url("https://bücher.example/ä?q=ü")
    assert once == "https://xn--bcher-kva.example/%C3%A4?q=%C3%BC"
    assert normalise_url(once) == once
