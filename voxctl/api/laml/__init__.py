"""The Twilio/LaML-compatible REST API: Calls, Conferences, Participants under an account.

One blueprint (``laml``) holds the account routes twice, at both mounts of
:data:`MOUNTS`: ``/2010-04-01/Accounts/<AccountSid>/...`` (Twilio's) and
``/api/laml/2010-04-01/Accounts/<AccountSid>/...``. Every route of :data:`ROUTES`
answers with and without the ``.json`` suffix. Every request needs HTTP Basic
``AccountSid:AuthToken`` for the account in its path (``auth``); every failure below a
mount, an unknown path or a method a resource does not take included, answers in
Twilio's error shape (``errors``). The views are thin: they read Twilio's parameters
(``params``), find the account's records (``lookup``), act through the operations the
native API shares (``voxctl.api.operations``) and render Twilio's resources
(``representation``, ``paging``).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import flask

from voxctl.api.laml import auth, calls, conferences, errors, participants
from voxctl.services import Services

View = Callable[..., Any]

# (name, path): where the account routes are mounted
MOUNTS = (
    ("twilio", "/2010-04-01/Accounts"),
    ("laml", "/api/laml/2010-04-01/Accounts"),
)

# (rule under the account, endpoint, {HTTP method: view factory})
ROUTES: tuple[tuple[str, str, Mapping[str, Callable[[Services], View]]], ...] = (
    ("/Calls", "calls", {"GET": calls.list_calls, "POST": calls.create_call}),
    ("/Calls/<sid>", "call",
     {"GET": calls.fetch_call, "POST": calls.update_call, "DELETE": calls.delete_call}),
    ("/Conferences", "conferences", {"GET": conferences.list_conferences}),
    ("/Conferences/<sid>", "conference",
     {"GET": conferences.fetch_conference, "POST": conferences.update_conference}),
    ("/Conferences/<conference_sid>/Participants", "participants",
     {"GET": participants.list_participants, "POST": participants.add_participant}),
    ("/Conferences/<conference_sid>/Participants/<sid>", "participant",
     {"GET": participants.fetch_participant, "POST": participants.update_participant,
      "DELETE": participants.remove_participant}),
)

# every route takes every method, so one it does not serve answers Twilio's 405 rather than Flask's
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def blueprint(services: Services) -> flask.Blueprint:
    """The LaML API of one node over ``services``, at every mount."""
    api = flask.Blueprint("laml", __name__)
    for name, path in MOUNTS:
        api.register_blueprint(_account_routes(services, name, path), url_prefix=f"{path}/<{auth.PATH_ACCOUNT}>")
    return api


def _account_routes(services: Services, name: str, mount: str) -> flask.Blueprint:
    """The routes under one account at ``mount``: authenticated, Twilio-shaped errors, unknown paths 404."""
    routes = flask.Blueprint(name, __name__)
    routes.url_value_preprocessor(auth.take_path_account)
    routes.before_request(lambda: auth.authenticate(services, mount))
    errors.install(routes)
    for rule, endpoint, factories in ROUTES:
        view = _by_method({method: factory(services) for method, factory in factories.items()})
        routes.add_url_rule(f"{rule}.json", endpoint, view, methods=METHODS)
        routes.add_url_rule(rule, f"{endpoint}_bare", view, methods=METHODS)
    routes.add_url_rule("/<path:rest>", "unknown", _unknown, methods=METHODS)
    return routes


def _by_method(views: Mapping[str, View]) -> View:
    """One view serving ``views`` by HTTP method (HEAD as GET); Twilio's 405 ``20004`` for the others."""
    allowed = sorted(views)

    def view(**url_values: str) -> Any:
        method = "GET" if flask.request.method == "HEAD" else flask.request.method
        if method not in views:
            raise errors.method_not_allowed(allowed)
        return views[method](**url_values)
    return view


def _unknown(rest: str) -> Any:
    """No such resource under the account: Twilio's 404 ``20404``."""
    raise errors.not_found()
