"""Authentication, the JSON error shape, 404/405/413/500, and the unauthenticated routes."""
from __future__ import annotations

import dataclasses
import logging

import pytest
import redis

from tests.fixtures.api import MAX_REQUEST_BYTES
from voxctl.api import create_app
from voxctl.store import Store

CALLS = "/api/v1/calls"


def assert_error(response, status: int, code: int | None = None, mentions: str = "") -> dict:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    error = response.json["error"]
    assert error["code"] == (code or status)
    assert isinstance(error["description"], str) and error["description"]
    assert mentions in error["description"]
    return error


@pytest.mark.parametrize("header", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    "Token abc",
    "Bearer two words",
])
def test_a_missing_or_malformed_authorization_header_is_401(client, account, header):
    headers = {} if header is None else {"Authorization": header}
    response = client.get(CALLS, headers=headers)
    assert_error(response, 401, mentions="Authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401(client, account):
    assert_error(client.get(CALLS, headers={"Authorization": "Bearer vox_not-a-key"}), 401, mentions="API key")
    assert_error(client.get(CALLS, headers={"Authorization": f"Bearer {account.key}x"}), 401)


def test_a_revoked_key_is_401(client, account, store):
    assert client.get(CALLS, headers=account.headers).status_code == 200
    assert store.accounts.revoke_key(account.id, account.key)
    assert_error(client.get(CALLS, headers=account.headers), 401)


def test_the_scheme_is_case_insensitive(client, account):
    response = client.get(CALLS, headers={"Authorization": f"bearer {account.key}"})
    assert response.status_code == 200


def test_every_native_route_needs_a_key(client, app, account):
    call = account.call()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("native."):
            continue
        path = rule.rule.replace("<conf_id>", call.id).replace("<id>", call.id)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert client.open(path, method=method).status_code == 401, (method, path)


def test_an_unknown_url_is_a_json_404(client, account):
    assert_error(client.get("/api/v1/nothing-here", headers=account.headers), 404)
    assert_error(client.get("/nowhere"), 404)


@pytest.mark.parametrize("method, path", [
    ("PUT", CALLS),
    ("DELETE", CALLS),
    ("PUT", CALLS + "/8d658f67-3879-4938-bbad-863878bd5341"),
    ("POST", "/api/v1/conferences"),
    ("DELETE", "/api/v1/conferences/c0904ce2-9081-4fa1-4ade-8278d347fcac/participants"),
    ("DELETE", ("/api/v1/conferences/c0904ce2-9081-4fa1-4ade-8278d347fcac/participants/"
                "70fe317e-6bf7-484c-b964-dbed00d09684")),
])
def test_a_method_the_route_lacks_is_a_json_405_with_allow(client, account, method, path):
    response = client.open(path, method=method, headers=account.headers)
    error = assert_error(response, 405, mentions=method)
    assert "GET" in response.headers["Allow"]
    assert "GET" in error["description"]


def test_a_body_over_max_request_bytes_is_a_json_413(client, account, redis_client):
    body = {"to": "15556667777", "from": "15556668888",
            "voxXML": "<Response>" + "x" * MAX_REQUEST_BYTES + "</Response>"}
    assert_error(client.post(CALLS, json=body, headers=account.headers), 413)
    assert client.get(CALLS, headers=account.headers).json["count"] == 0


def test_healthz_answers_without_a_key(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "node": "api-node"}


@pytest.fixture
def broken_app(services, tmp_path):
    """The app over services whose Redis is unreachable (a socket nobody listens on)."""
    dead = redis.Redis(unix_socket_path=str(tmp_path / "nobody.sock"), decode_responses=True)
    yield create_app(dataclasses.replace(services, redis=dead, store=Store(dead)))
    dead.close()


def test_healthz_is_503_when_redis_does_not_answer(broken_app):
    response = broken_app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["node"] == "api-node"


def test_an_unexpected_failure_is_a_json_500_with_a_logged_error_id(broken_app, caplog):
    with caplog.at_level(logging.ERROR, logger="voxctl.api.errors"):
        response = broken_app.test_client().get(CALLS, headers={"Authorization": "Bearer vox_anything"})
    error = assert_error(response, 500)
    assert error["error_id"] in error["description"]
    logged = [r for r in caplog.records if error["error_id"] in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert "redis" not in error["description"].lower()  # nothing internal leaks
