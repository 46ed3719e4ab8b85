"""The LaML API served for real: the app on a gevent WSGIServer on an ephemeral port.

Tests drive it as customers do: with the official ``twilio`` package (``sdk_client``)
and, for every error path, plain ``requests`` (``LamlHttp``). The services, accounts
and the ``engine_node`` standing in for the node that holds a call are the shared API
fixtures (``tests/fixtures/api.py``): a real Redis, real ControlBuses over real pub/sub.
Both helpers take the base URL of any running API, so the end-to-end tests against a
``node`` (engine and simulator) use them unchanged.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from gevent.pywsgi import WSGIServer
from twilio.rest import Client

from tests.fixtures.api import MAX_REQUEST_BYTES, SAY  # noqa: F401 -- re-exported for the LaML tests
from voxctl.api import create_app
from voxctl.api.laml import blueprint as laml_blueprint
from voxctl.services import Services

TWILIO_MOUNT = "/2010-04-01/Accounts"
LAML_MOUNT = "/api/laml/2010-04-01/Accounts"
# the fields of every list besides its records
PAGING_FIELDS = frozenset({"end", "first_page_uri", "next_page_uri", "page", "page_size", "previous_page_uri",
                           "start", "uri"})


@contextmanager
def serving(node_services: Services) -> Iterator[str]:
    """The API app over ``node_services``, with the LaML blueprint, on a real local HTTP server: its base URL."""
    app = create_app(node_services)
    if "laml" not in app.blueprints:  # until voxctl.api.BLUEPRINTS lists it
        app.register_blueprint(laml_blueprint(node_services))
    server = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.stop(timeout=1)


@pytest.fixture
def laml_server(services):  # noqa: F811 -- the services fixture imported above
    """The test services' API on a real local HTTP server: its base URL."""
    with serving(services) as base:
        yield base


def sdk_client(base: str, account_sid: str, auth_token: str, laml_mount: bool = False) -> Client:
    """A ``twilio`` client talking to the API at ``base`` (Twilio's mount, or ``/api/laml``'s)."""
    client = Client(account_sid, auth_token)
    client.api.base_url = base
    if laml_mount:
        client.api.v2010.version = LAML_MOUNT.removesuffix("/Accounts").lstrip("/")
    return client


@pytest.fixture
def twilio(laml_server, account) -> Client:  # noqa: F811
    """The account's ``twilio`` client on Twilio's mount."""
    return sdk_client(laml_server, account.record.sid, account.record.auth_token)


@pytest.fixture
def node_api(node) -> Iterator[str]:
    """The LaML API over a running node's services (the engine runs what it is asked): its base URL."""
    with serving(node.services) as base:
        yield base


@pytest.fixture
def node_twilio(node_api, account) -> Client:  # noqa: F811
    """The account's ``twilio`` client on the running node's LaML API."""
    return sdk_client(node_api, account.record.sid, account.record.auth_token)


class LamlHttp:
    """Plain HTTP to one account's LaML resources: ``get("/Calls.json")``, ``post(path, data)``..."""

    def __init__(self, base: str, account_sid: str, auth_token: str, mount: str = TWILIO_MOUNT) -> None:
        self.root = f"{base}{mount}/{account_sid}"
        self.auth = (account_sid, auth_token)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("auth", self.auth)
        return requests.request(method, self.root + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, data=data, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def laml(laml_server, account) -> LamlHttp:  # noqa: F811
    """Plain HTTP as the account, on Twilio's mount."""
    return LamlHttp(laml_server, account.record.sid, account.record.auth_token)


def assert_twilio_error(response: requests.Response, status: int, code: int) -> dict:
    """``response`` is Twilio's error shape with ``status`` and ``code``: its body."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"code", "message", "more_info", "status"}
    assert (body["code"], body["status"]) == (code, status)
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert body["message"]
    return body
