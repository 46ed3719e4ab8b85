"""The node's REST APIs as one Flask app: ``create_app(services)``.

Every blueprint is registered in one place, :data:`BLUEPRINTS` (each entry builds a
blueprint from the node's ``Services``). Request bodies are limited to
``settings.max_request_bytes`` (413), and every error is JSON (``voxctl.api.errors``).
"""
from __future__ import annotations

from collections.abc import Callable

import flask

from voxctl.api import errors, laml, native, public, recordings
from voxctl.services import Services

# the one list of the app's blueprints: add a flavour's API here
BLUEPRINTS: tuple[Callable[[Services], flask.Blueprint], ...] = (
    public.blueprint,
    native.blueprint,
    recordings.blueprint,
    laml.blueprint,
)


def create_app(services: Services) -> flask.Flask:
    """The WSGI app serving every API of one node over ``services``."""
    app = flask.Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = services.settings.max_request_bytes
    app.json.sort_keys = False  # keep the spec's field order
    errors.install(app)
    for build in BLUEPRINTS:
        app.register_blueprint(build(services))
    return app
