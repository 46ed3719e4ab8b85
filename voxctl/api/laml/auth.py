"""HTTP Basic ``AccountSid:AuthToken`` for the LaML API, and the account the path names.

The store checks the token in constant time. The AccountSid in the path must be the
authenticated account's: anything else (no credentials, a wrong token, another
account's path) answers Twilio's 401 ``20003``, so a path never tells whether an
account exists. The account goes on ``flask.g.account``, and the URI every resource
of this request is shown under (the mount it came in on plus ``/<AccountSid>``) on
``flask.g.account_uri``.
"""
from __future__ import annotations

from typing import Any

import flask

from voxctl.api.laml.errors import AUTHENTICATE, TwilioError
from voxctl.services import Services
from voxctl.store import ids
from voxctl.store.records import Account

CHALLENGE = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
PATH_ACCOUNT = "AccountSid"  # the URL variable of the mount


def take_path_account(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """URL value preprocessor: the path's AccountSid goes to ``flask.g``, not to the views."""
    flask.g.path_account_sid = (values or {}).pop(PATH_ACCOUNT, "")


def authenticate(services: Services, mount: str) -> None:
    """Check the Basic credentials against the path's account; 401 ``20003`` otherwise."""
    credentials = flask.request.authorization
    if credentials is None or credentials.type != "basic" or not credentials.username:
        raise _unauthenticated("No credentials provided")
    account = services.store.accounts.authenticate_basic(credentials.username, credentials.password or "")
    path_sid = flask.g.path_account_sid
    if account is None or not ids.is_sid(path_sid, ids.ACCOUNT) or ids.from_sid(path_sid) != account.id:
        raise _unauthenticated("Your AccountSid or AuthToken was incorrect")
    flask.g.account = account
    flask.g.account_uri = f"{flask.request.script_root}{mount}/{account.sid}"


def current_account() -> Account:
    """The authenticated account of this request."""
    return flask.g.account


def account_uri() -> str:
    """``/2010-04-01/Accounts/AC...`` (or under ``/api/laml``): the root of this request's resource URIs."""
    return flask.g.account_uri


def _unauthenticated(message: str) -> TwilioError:
    return TwilioError(401, AUTHENTICATE, f"Authenticate: {message}", CHALLENGE)
