"""The native REST API's blueprint: ``/api/v1``, Bearer keys, JSON.

Every route is listed in :data:`ROUTES`, the one table of this API (the OpenAPI
document is checked against the URL map it produces). The views come from the
shared factories of ``voxctl.api.resources``; only creating a call is its own view.
"""
from __future__ import annotations

from collections.abc import Callable

import flask

from voxctl.api import resources
from voxctl.api.auth import authenticate
from voxctl.api.native_callbacks import failed_view
from voxctl.api.native_calls import CALL, create_view, list_calls
from voxctl.api.native_conferences import (
    CONFERENCE,
    PARTICIPANT,
    list_conferences,
    list_participants,
)
from voxctl.services import Services

PREFIX = "/api/v1"

# (rule, endpoint, methods, view factory)
ROUTES: tuple[tuple[str, str, tuple[str, ...], Callable[[Services], resources.View]], ...] = (
    ("/calls", "calls", ("GET",), lambda s: resources.list_view(s, CALL, list_calls)),
    ("/calls", "create_call", ("POST",), create_view),
    ("/calls/<id>", "call", ("GET",), lambda s: resources.show_view(s, CALL)),
    ("/calls/<id>", "modify_call", ("POST", "PATCH"), lambda s: resources.modify_view(s, CALL)),
    ("/calls/<id>", "delete_call", ("DELETE",), lambda s: resources.delete_view(s, CALL)),
    ("/conferences", "conferences", ("GET",), lambda s: resources.list_view(s, CONFERENCE, list_conferences)),
    ("/conferences/<id>", "conference", ("GET",), lambda s: resources.show_view(s, CONFERENCE)),
    ("/conferences/<id>", "modify_conference", ("POST", "PATCH"), lambda s: resources.modify_view(s, CONFERENCE)),
    ("/conferences/<id>", "delete_conference", ("DELETE",), lambda s: resources.delete_view(s, CONFERENCE)),
    ("/conferences/<conf_id>/participants", "participants", ("GET",),
     lambda s: resources.list_view(s, PARTICIPANT, list_participants)),
    ("/conferences/<conf_id>/participants/<id>", "participant", ("GET",),
     lambda s: resources.show_view(s, PARTICIPANT)),
    ("/conferences/<conf_id>/participants/<id>", "modify_participant", ("POST", "PATCH"),
     lambda s: resources.modify_view(s, PARTICIPANT)),
    ("/callbacks/failed", "failed_callbacks", ("GET",), failed_view),
)


def blueprint(services: Services) -> flask.Blueprint:
    """The ``/api/v1`` blueprint over ``services``; every request needs a valid Bearer key."""
    bp = flask.Blueprint("native", __name__, url_prefix=PREFIX)
    bp.before_request(lambda: authenticate(services))
    for rule, endpoint, methods, factory in ROUTES:
        bp.add_url_rule(rule, endpoint, factory(services), methods=list(methods))
    return bp
