"""Fixtures for the webhook tests: small timeouts, a client, an account (Redis: tests/fixtures/redis.py)."""
from __future__ import annotations

from urllib.parse import urlencode

import pytest

from voxctl.config import Settings
from voxctl.store import ids
from voxctl.store.records import Account
from voxctl.webhooks.client import HttpClient


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
