"""Bearer-key authentication for the native API.

``Authorization: Bearer KEY``: the store looks the key up (keys are stored hashed and
compared in constant time there) and the account goes on ``flask.g.account``. A
missing header, another scheme, an empty key or an unknown key all answer 401.
"""
from __future__ import annotations

from typing import Any

import flask

from voxctl.api.errors import ApiError
from voxctl.services import Services

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="voxctl"'}


def bearer_key(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer KEY`` header, or None when there is none."""
    scheme, _, key = (header or "").strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or " " in key:
        return None
    return key


def authenticate(services: Services) -> None:
    """Put the request's account on ``flask.g.account``; 401 when the key is missing or wrong."""
    key = bearer_key(flask.request.headers.get("Authorization"))
    if key is None:
        raise ApiError(401, "missing or malformed Authorization header: expected 'Bearer YOUR_API_KEY'",
                       headers=CHALLENGE)
    account = services.store.accounts.by_api_key(key)
    if account is None:
        raise ApiError(401, "unauthorized: the provided API key is not valid", headers=CHALLENGE)
    flask.g.account = account


def current_account() -> Any:
    """The authenticated account of this request."""
    return flask.g.account
