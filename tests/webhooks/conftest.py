"""Fixtures for the webhook tests: small timeouts, a client, an account (Redis: tests/fixtures/redis.py)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from voxctl.config import Settings
from voxctl.store import ids
from voxctl.store.records import Account
from voxctl.webhooks.client import HttpClient
from voxctl.webhooks.signing import verify_vox_signature


@pytest.fixture
def settings() -> Settings:
    return Settings(fetch_connect_timeout=0.5, fetch_read_timeout=0.3, callback_connect_timeout=0.5,
                    callback_read_timeout=0.3, callback_retries=2, callback_queue_size=100,
                    max_document_bytes=4096)


@pytest.fixture
def client(settings):
    http = HttpClient(settings)
    yield http
    http.close()


def new_account() -> Account:
    return Account(id=ids.new_id(), auth_token="twilio-auth-token-0123456789", signing_secret="vox-signing-secret")


@pytest.fixture
def account() -> Account:
    return new_account()


def request_url(server, recorded) -> str:
    """The full URL a recorded request was made to (query keys kept in the order sent)."""
    query = urlencode([(k, v) for k, values in recorded.query.items() for v in values])
    return server.url(recorded.path) + (f"?{query}" if query else "")


VOX_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"  # the spec's nearest-second UTC time


def vox_signed(server, recorded, secret: str) -> bool:
    """Whether ``recorded`` carries a valid ``X-Vox-Signature`` (the body of a POST, the query of a GET)."""
    signed = recorded.body if recorded.method == "POST" else request_url(server, recorded).partition("?")[2].encode()
    return verify_vox_signature(secret, recorded.headers.get("X-Vox-Signature", ""), signed)


def vox_params(recorded) -> dict:
    """A VoxXML callback's fields: the JSON body of a POST, the query of a GET."""
    if recorded.method == "POST":
        assert recorded.headers["Content-Type"] == "application/json"
        return recorded.json
    return {name: values[0] for name, values in recorded.query.items()}


def twilio_signed(server, recorded, auth_token: str) -> bool:
    """Whether twilio's own ``RequestValidator`` accepts ``recorded``'s ``X-Twilio-Signature``."""
    return RequestValidator(auth_token).validate(request_url(server, recorded), MultiDict(recorded.form),
                                                 recorded.headers.get("X-Twilio-Signature", ""))
